"""Test material for the documents tests: a timestamp authority, CRLs, NSS trust for pdfsig."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from localgov.documents.signing import RevocationData, to_asn1
from localgov.pki import Credential
from localgov.testing.pki import TestPki

POPPLER_TOOLS = ("pdfsig", "pdftotext", "pdftoppm")
ENSURE_POPPLER = Path(__file__).parents[2] / "scripts" / "ensure-poppler"


def poppler_available() -> bool:
    """Whether poppler's tools are on PATH, after asking scripts/ensure-poppler to install them."""
    if all(shutil.which(tool) for tool in (*POPPLER_TOOLS, "certutil")):
        return True
    subprocess.run([str(ENSURE_POPPLER)], check=False, capture_output=True)
    return all(shutil.which(tool) for tool in (*POPPLER_TOOLS, "certutil"))


def timestamp_authority(pki: TestPki) -> DummyTimeStamper:
    """An in-process RFC 3161 timestamp authority under the test root (pyHanko's, RSA only)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = pki.root.certificate.not_valid_before_utc
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localgov TEST TSA")]))
        .issuer_name(pki.root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3 * 365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(pki.root.private_key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=to_asn1(certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
        certs_to_embed=SimpleCertificateStore.from_certs([to_asn1(pki.root.certificate)]),
    )


def empty_crl(issuer: Credential) -> bytes:
    """A current CRL from ``issuer`` that revokes nothing."""
    now = datetime.now(UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - timedelta(hours=1))
        .next_update(now + timedelta(days=7))
        .sign(issuer.private_key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)


def revocation_data(pki: TestPki) -> RevocationData:
    return RevocationData(crls=(empty_crl(pki.root), empty_crl(pki.governorate_ca)))


def nss_database(directory: Path, root: x509.Certificate) -> str:
    """A fresh NSS database trusting ``root``; the ``-nssdir`` argument for pdfsig."""
    directory.mkdir(parents=True, exist_ok=True)
    pem = directory / "root.pem"
    pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    database = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "-d", database, "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-d", database, "-n", "localgov-test-root", "-t", "CT,C,C", "-i", str(pem)],
        check=True,
        capture_output=True,
    )
    return database


def pdfsig(path: Path, database: str) -> dict[str, str]:
    """pdfsig's report of the first signature, as ``{field: value}``."""
    completed = subprocess.run(["pdfsig", "-nssdir", database, str(path)], capture_output=True, text=True, check=False)
    report = {}
    for line in completed.stdout.splitlines():
        name, _, value = line.strip().lstrip("- ").partition(": ")
        if value:
            report[name] = value
    return report
