"""``localgov pki``: the national root, governorate CAs and unit document signers.

localgov pki init-root|issue-ca|issue-signer|issue-device
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.cli.credentials import (
    directory_type,
    load_credential,
    passphrase_option,
    save_credential,
)
from localgov.pki import (
    create_root,
    issue_device_certificate,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
)
from localgov.pki.errors import PkiError
from localgov.pki.hierarchy import DEVICE_VALIDITY, SIGNER_VALIDITY

__all__ = ["COMMANDS", "pki_group"]


@click.group("pki")
def pki_group() -> None:
    """Certificates: national root, governorate CAs, unit document signers."""


@pki_group.command("init-root")
@click.option("--out", "out", type=directory_type, required=True, help="Directory for the root.")
@click.option("--name", default="Egypt Local Government Root CA", show_default=True)
@click.option(
    "--trust-signer-out",
    type=directory_type,
    help="Also make a trust-list signing certificate, in this directory.",
)
@passphrase_option
def init_root(out: Path, name: str, trust_signer_out: Path | None, passphrase_env: str) -> None:
    """Create the national root CA (and optionally a trust-list signer under it)."""
    root = create_root(name)
    save_credential(out, root, passphrase_env)
    if trust_signer_out is not None:
        save_credential(trust_signer_out, issue_trust_list_signer(root), passphrase_env)


@pki_group.command("issue-ca")
@click.option("--root", "root_dir", type=directory_type, required=True)
@click.option("--governorate", required=True, help="ISO 3166-2:EG code without EG- (C, GZ, ...).")
@click.option("--name", default=None)
@click.option("--out", "out", type=directory_type, required=True)
@passphrase_option
def issue_ca(root_dir: Path, governorate: str, name: str | None, out: Path, passphrase_env: str) -> None:
    """Issue a governorate CA under the root."""
    root = load_credential(root_dir, passphrase_env)
    save_credential(out, issue_governorate_ca(root, governorate, name), passphrase_env)


@pki_group.command("issue-signer")
@click.option("--ca", "ca_dir", type=directory_type, required=True)
@click.option("--unit", required=True, help="The local unit's code (the tokens' issuer).")
@click.option("--kind", "kinds", multiple=True, required=True, help="A permit kind it may sign.")
@click.option("--name", default=None)
@click.option("--days", type=click.IntRange(1, 3650), default=SIGNER_VALIDITY.days, show_default=True)
@click.option("--out", "out", type=directory_type, required=True)
@passphrase_option
def issue_signer(
    ca_dir: Path,
    unit: str,
    kinds: tuple[str, ...],
    name: str | None,
    days: int,
    out: Path,
    passphrase_env: str,
) -> None:
    """Issue a unit's document-signing certificate, allowed to sign the given kinds."""
    ca = load_credential(ca_dir, passphrase_env)
    signer = issue_unit_signer(ca, unit, kinds, name, validity=timedelta(days=days))
    save_credential(out, signer, passphrase_env)


@pki_group.command("issue-device")
@click.option("--ca", "ca_dir", type=directory_type, required=True)
@click.option("--unit", required=True, help="The local unit's code, as its certificates name it (C-ZTN).")
@click.option("--device-id", required=True, help="The device's id (ZTN-TAB-01), printed on its receipts.")
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="The device's public key (PEM), made on the device: its private key never leaves it.",
)
@click.option("--days", type=click.IntRange(1, 3650), default=DEVICE_VALIDITY.days, show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def issue_device(
    ca_dir: Path, unit: str, device_id: str, public_key_file: Path, days: int, out: Path, passphrase_env: str
) -> None:
    """Certify a field device's key (a mobile district's tablet); write its chain (device, CA) as PEM."""
    try:
        key = serialization.load_pem_public_key(public_key_file.read_bytes())
    except ValueError:
        raise PkiError(f"{public_key_file}: not a PEM public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise PkiError(f"{public_key_file}: the device key must be ECDSA P-256")
    ca = load_credential(ca_dir, passphrase_env)
    certificate = issue_device_certificate(ca, unit, device_id, key, validity=timedelta(days=days))
    chain = [certificate, ca.certificate]
    out.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    click.echo(f"{out}: device {device_id} of {unit}, valid until {certificate.not_valid_after_utc.date()}")


COMMANDS: tuple[click.Command, ...] = (pki_group,)
