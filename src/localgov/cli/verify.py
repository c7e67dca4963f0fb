"""``localgov verify``: is this permit genuine? A token text, a QR image, or a file.

``verify`` exits 0 when the permit is valid (printing its fields in Arabic and English), 1 when it
is not (printing the reason), 2 on a usage error. Other kinds of file (signed PDFs) plug in with
:func:`register_file_verifier`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import click
from cryptography import x509

from localgov.pki import load_certificate
from localgov.tokens import (
    RevocationList,
    RevocationUpdate,
    TokenError,
    TrustList,
    format_permit,
    verify,
)
from localgov.tokens.qr import read_qr_texts

__all__ = [
    "COMMANDS",
    "EXIT_INVALID",
    "EXIT_VALID",
    "FileVerifier",
    "VerifyContext",
    "load_context",
    "parse_time",
    "register_file_verifier",
    "verification_options",
    "verify_command",
    "verify_text",
]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"})

EXIT_VALID, EXIT_INVALID = 0, 1


@attrs.frozen
class VerifyContext:
    """What ``localgov verify`` was given to verify with, for file verifiers."""

    trust: TrustList
    root: x509.Certificate
    revocations: RevocationList | None
    at: datetime | None


#: A verifier for a kind of file: returns the exit status, after printing the outcome.
FileVerifier = Callable[[Path, VerifyContext], int]
_FILE_VERIFIERS: dict[str, FileVerifier] = {}


def register_file_verifier(suffix: str, verifier: FileVerifier) -> None:
    """Let ``localgov verify FILE`` handle files ending in ``suffix`` (e.g. ``".pdf"``)."""
    _FILE_VERIFIERS[suffix.lower()] = verifier


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 option value as an aware moment (UTC when it names no zone)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_context(trust_file: Path, root_file: Path, revocation_files: Sequence[Path], at: str | None) -> VerifyContext:
    """Load and check the trust list and revocation files against the root."""
    root = load_certificate(root_file)
    moment = parse_time(at)
    trust = TrustList.load(trust_file.read_bytes(), root, at=moment)
    revocations = None
    if revocation_files:
        updates = [RevocationUpdate.load(p.read_bytes(), root, at=moment) for p in revocation_files]
        revocations = RevocationList.from_updates(updates)
    return VerifyContext(trust, root, revocations, moment)


def verify_text(text: str, context: VerifyContext) -> int:
    """Verify token ``text``, print the verdict in Arabic and English, return the exit status."""
    try:
        verified = verify(text, context.trust, context.revocations, context.at)
    except TokenError as error:
        click.echo(f"✗ {error.message_ar}")
        click.echo(f"✗ {error.message_en}")
        click.echo(f"reason: {error.code}")
        return EXIT_INVALID
    click.echo("✓ ترخيص صحيح وموقع من جهة معتمدة")
    click.echo("✓ valid permit, signed by a trusted authority")
    click.echo(f"signer: {verified.signer.subject} (kid {verified.kid.hex()})")
    click.echo("")
    click.echo(format_permit(verified.claims))
    return EXIT_VALID


def _verify_image(image: Path, context: VerifyContext) -> int:
    texts = [t for t in read_qr_texts(image) if t.strip().startswith("LG")]
    if not texts:
        click.echo(f"✗ لا يوجد رمز تحقق في الصورة / no localgov QR code found in {image}")
        click.echo("reason: no_token_in_image")
        return EXIT_INVALID
    return verify_text(texts[0], context)


def verification_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the ``--trust``, ``--root``, ``--revocations`` and ``--at`` options to a command."""
    options = [
        click.option(
            "--trust",
            "trust_file",
            envvar="LOCALGOV_TRUST_LIST",
            required=True,
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Signed trust list (env LOCALGOV_TRUST_LIST).",
        ),
        click.option(
            "--root",
            "root_file",
            envvar="LOCALGOV_TRUST_ROOT",
            required=True,
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="National root certificate the trust list is signed under (env LOCALGOV_TRUST_ROOT).",
        ),
        click.option(
            "--revocations",
            "revocation_files",
            multiple=True,
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Revocation list, then its deltas in order.",
        ),
        click.option("--at", default=None, help="Judge validity at this ISO time (default now)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command("verify")
@click.argument("target", required=False)
@click.option("--image", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@verification_options
@click.pass_context
def verify_command(
    ctx: click.Context,
    target: str | None,
    image: Path | None,
    trust_file: Path,
    root_file: Path,
    revocation_files: tuple[Path, ...],
    at: str | None,
) -> None:
    """Verify a permit: token TEXT, a QR --image, or a FILE (exit 0 valid, 1 invalid, 2 usage)."""
    if (target is None) == (image is None):
        raise click.UsageError("give exactly one of TEXT/FILE or --image")
    context = load_context(trust_file, root_file, revocation_files, at)
    if image is not None:
        ctx.exit(_verify_image(image, context))
    assert target is not None
    path = Path(target)
    if not target.startswith("LG") and path.is_file():
        suffix = path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            ctx.exit(_verify_image(path, context))
        if suffix in _FILE_VERIFIERS:
            ctx.exit(_FILE_VERIFIERS[suffix](path, context))
        raise click.UsageError(
            f"cannot verify {suffix or 'suffix-less'} files (known: images, {sorted(_FILE_VERIFIERS)})"
        )
    ctx.exit(verify_text(target, context))


COMMANDS: tuple[click.Command, ...] = (verify_command,)
