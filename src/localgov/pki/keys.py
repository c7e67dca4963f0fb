"""Private keys and certificates on disk.

Private keys are written as PKCS#8 PEM, encrypted with the passphrase when one is given
(``BestAvailableEncryption``), and always to a file created with mode 0600, so even an
unencrypted key is readable by its owner only. Error messages name the file, never its content.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.pki.errors import PkiError

__all__ = [
    "generate_signing_key",
    "load_certificate",
    "load_certificates",
    "load_private_key",
    "save_certificate",
    "save_private_key",
]


def generate_signing_key() -> ec.EllipticCurvePrivateKey:
    """A new ECDSA P-256 key (the curve of ES256)."""
    return ec.generate_private_key(ec.SECP256R1())


def _write_private(path: Path, data: bytes) -> None:
    # O_CREAT with mode 0600 sets the permissions before a single byte is written; fchmod
    # tightens a file that already existed with a wider mode.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)


def save_private_key(path: str | os.PathLike[str], key: ec.EllipticCurvePrivateKey, passphrase: bytes | None) -> Path:
    """Write ``key`` to ``path`` (mode 0600), encrypted with ``passphrase`` if given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    target = Path(path)
    _write_private(target, data)
    return target


def load_private_key(path: str | os.PathLike[str], passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    """Read an ECDSA private key written by :func:`save_private_key`."""
    target = Path(path)
    try:
        data = target.read_bytes()
    except OSError as error:
        raise PkiError(f"cannot read private key file {target}: {error.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        # cryptography says whether a passphrase was missing or superfluous; say it plainly.
        if passphrase:
            raise PkiError(f"private key {target} is not encrypted; give no passphrase") from None
        raise PkiError(f"private key {target} is encrypted; a passphrase is needed") from None
    except ValueError:
        raise PkiError(f"cannot load private key {target}: wrong passphrase or not a PEM key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PkiError(f"private key {target} is not an ECDSA key")
    return key


def save_certificate(path: str | os.PathLike[str], certificate: x509.Certificate) -> Path:
    target = Path(path)
    target.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return target


def load_certificates(path: str | os.PathLike[str]) -> list[x509.Certificate]:
    """All certificates in a PEM file (or the one in a DER file)."""
    target = Path(path)
    try:
        data = target.read_bytes()
    except OSError as error:
        raise PkiError(f"cannot read certificate file {target}: {error.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise PkiError(f"{target} holds no readable certificate") from None


def load_certificate(path: str | os.PathLike[str]) -> x509.Certificate:
    certificates = load_certificates(path)
    if len(certificates) != 1:
        raise PkiError(f"{path} holds {len(certificates)} certificates, expected one")
    return certificates[0]
