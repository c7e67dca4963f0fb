"""Credential directories on the command line: a certificate and its private key, side by side.

A credential directory holds ``certificate.pem`` and ``private-key.pem``. The key is encrypted with
the passphrase in the environment variable named by ``--passphrase-env`` (default
``LOCALGOV_KEY_PASSPHRASE``); without one it is written unencrypted, readable by the owner only, and
the command says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from localgov.pki import (
    Credential,
    load_certificate,
    load_private_key,
    save_certificate,
    save_private_key,
)

__all__ = [
    "CERTIFICATE_FILE",
    "PRIVATE_KEY_FILE",
    "directory_type",
    "load_credential",
    "passphrase_option",
    "read_passphrase",
    "save_credential",
]

CERTIFICATE_FILE = "certificate.pem"
PRIVATE_KEY_FILE = "private-key.pem"


def read_passphrase(variable: str) -> bytes | None:
    """The passphrase in environment variable ``variable``, or None when it is unset or empty."""
    value = os.environ.get(variable)
    return value.encode("utf-8") if value else None


def save_credential(directory: Path, credential: Credential, passphrase_env: str) -> None:
    """Write ``certificate.pem`` and ``private-key.pem`` into ``directory``, the key encrypted when it can be."""
    directory.mkdir(parents=True, exist_ok=True)
    save_certificate(directory / CERTIFICATE_FILE, credential.certificate)
    passphrase = read_passphrase(passphrase_env)
    save_private_key(directory / PRIVATE_KEY_FILE, credential.private_key, passphrase)
    if passphrase is None:
        click.echo(
            f"warning: {passphrase_env} is not set; the private key in {directory} is not "
            "encrypted (file mode 0600) / تحذير: المفتاح الخاص غير مشفر",
            err=True,
        )
    click.echo(f"{directory}: kid {credential.kid.hex()}  {credential.certificate.subject.rfc4514_string()}")


def load_credential(directory: Path, passphrase_env: str) -> Credential:
    """Read the credential ``save_credential`` wrote."""
    certificate = load_certificate(directory / CERTIFICATE_FILE)
    key = load_private_key(directory / PRIVATE_KEY_FILE, read_passphrase(passphrase_env))
    return Credential(certificate, key)


passphrase_option = click.option(
    "--passphrase-env",
    default="LOCALGOV_KEY_PASSPHRASE",
    show_default=True,
    help="Environment variable holding the private-key passphrase.",
)
directory_type = click.Path(file_okay=False, path_type=Path)
