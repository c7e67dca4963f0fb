"""Commands for keys, permit tokens, trust lists, revocation and verification.

Attached to the ``localgov`` command by :mod:`localgov.cli` from :data:`COMMANDS`::

    localgov pki init-root|issue-ca|issue-signer
    localgov token issue|verify|inspect
    localgov trust build|sign|show
    localgov revoke
    localgov verify TEXT | --image FILE | FILE

``verify`` exits 0 when the permit is valid (printing its fields in Arabic and English), 1 when it
is not (printing the reason), 2 on a usage error. Other kinds of file (signed PDFs) plug in with
:func:`register_file_verifier`.

Private keys live in credential directories (``certificate.pem`` + ``private-key.pem``), encrypted
with the passphrase in the environment variable named by ``--passphrase-env`` (default
``LOCALGOV_KEY_PASSPHRASE``); without one they are written unencrypted, readable by the owner only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import click
from cryptography import x509

from localgov.i18n import to_eastern_digits
from localgov.pki import (
    Credential,
    create_root,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
    load_certificate,
    load_certificates,
    load_private_key,
    save_certificate,
    save_private_key,
)
from localgov.pki.hierarchy import SIGNER_VALIDITY
from localgov.tokens import (
    PermitClaims,
    RevocationList,
    RevocationUpdate,
    TokenError,
    TrustList,
    cbor,
    cose,
    decode_text,
    format_permit,
    issue,
    revocation_hash,
    verify,
)
from localgov.tokens.claims import claims_from_map
from localgov.tokens.qr import read_qr_texts, render_png, render_svg

__all__ = [
    "COMMANDS",
    "FileVerifier",
    "VerifyContext",
    "pki_group",
    "register_file_verifier",
    "revoke_command",
    "token_group",
    "trust_group",
    "verify_command",
]

CERTIFICATE_FILE = "certificate.pem"
PRIVATE_KEY_FILE = "private-key.pem"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"})

EXIT_VALID, EXIT_INVALID = 0, 1


# --- credentials -----------------------------------------------------------------------------


def _passphrase(variable: str) -> bytes | None:
    value = os.environ.get(variable)
    return value.encode("utf-8") if value else None


def _save_credential(directory: Path, credential: Credential, passphrase_env: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    save_certificate(directory / CERTIFICATE_FILE, credential.certificate)
    passphrase = _passphrase(passphrase_env)
    save_private_key(directory / PRIVATE_KEY_FILE, credential.private_key, passphrase)
    if passphrase is None:
        click.echo(
            f"warning: {passphrase_env} is not set; the private key in {directory} is not "
            "encrypted (file mode 0600) / تحذير: المفتاح الخاص غير مشفر",
            err=True,
        )
    click.echo(
        f"{directory}: kid {credential.kid.hex()}  {credential.certificate.subject.rfc4514_string()}"
    )


def _load_credential(directory: Path, passphrase_env: str) -> Credential:
    certificate = load_certificate(directory / CERTIFICATE_FILE)
    key = load_private_key(directory / PRIVATE_KEY_FILE, _passphrase(passphrase_env))
    return Credential(certificate, key)


passphrase_option = click.option(
    "--passphrase-env",
    default="LOCALGOV_KEY_PASSPHRASE",
    show_default=True,
    help="Environment variable holding the private-key passphrase.",
)
directory_type = click.Path(file_okay=False, path_type=Path)


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
    _save_credential(out, root, passphrase_env)
    if trust_signer_out is not None:
        _save_credential(trust_signer_out, issue_trust_list_signer(root), passphrase_env)


@pki_group.command("issue-ca")
@click.option("--root", "root_dir", type=directory_type, required=True)
@click.option("--governorate", required=True, help="ISO 3166-2:EG code without EG- (C, GZ, ...).")
@click.option("--name", default=None)
@click.option("--out", "out", type=directory_type, required=True)
@passphrase_option
def issue_ca(
    root_dir: Path, governorate: str, name: str | None, out: Path, passphrase_env: str
) -> None:
    """Issue a governorate CA under the root."""
    root = _load_credential(root_dir, passphrase_env)
    _save_credential(out, issue_governorate_ca(root, governorate, name), passphrase_env)


@pki_group.command("issue-signer")
@click.option("--ca", "ca_dir", type=directory_type, required=True)
@click.option("--unit", required=True, help="The local unit's code (the tokens' issuer).")
@click.option("--kind", "kinds", multiple=True, required=True, help="A permit kind it may sign.")
@click.option("--name", default=None)
@click.option(
    "--days", type=click.IntRange(1, 3650), default=SIGNER_VALIDITY.days, show_default=True
)
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
    ca = _load_credential(ca_dir, passphrase_env)
    signer = issue_unit_signer(ca, unit, kinds, name, validity=timedelta(days=days))
    _save_credential(out, signer, passphrase_env)


# --- verification ----------------------------------------------------------------------------


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


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _load_context(
    trust_file: Path, root_file: Path, revocation_files: Sequence[Path], at: str | None
) -> VerifyContext:
    root = load_certificate(root_file)
    moment = _parse_time(at)
    trust = TrustList.load(trust_file.read_bytes(), root, at=moment)
    revocations = None
    if revocation_files:
        updates = [RevocationUpdate.load(p.read_bytes(), root, at=moment) for p in revocation_files]
        revocations = RevocationList.from_updates(updates)
    return VerifyContext(trust, root, revocations, moment)


def _verify_text(text: str, context: VerifyContext) -> int:
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
    return _verify_text(texts[0], context)


def _verification_options(function: Callable[..., Any]) -> Callable[..., Any]:
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
@_verification_options
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
    context = _load_context(trust_file, root_file, revocation_files, at)
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
    ctx.exit(_verify_text(target, context))


# --- tokens ----------------------------------------------------------------------------------


def _claims_from_json(data: object, source: str) -> PermitClaims:
    if not isinstance(data, dict):
        raise click.UsageError(f"{source}: expected a JSON object of permit fields")
    fields = dict(data)
    for name in ("issued_at", "expires_at", "valid_from"):
        if isinstance(fields.get(name), str):
            fields[name] = _parse_time(fields[name])
    fields.setdefault("issued_at", datetime.now(UTC))
    figures = fields.get("figures", {})
    if isinstance(figures, dict):
        fields["figures"] = {
            k: Decimal(str(v)) if isinstance(v, float) else v for k, v in figures.items()
        }
    try:
        return PermitClaims(**fields)
    except (TypeError, ValueError) as error:
        raise click.UsageError(f"{source}: {error}") from None


@click.group("token")
def token_group() -> None:
    """Permit tokens: issue, verify, inspect."""


@token_group.command("issue")
@click.option("--signer", "signer_dir", type=directory_type, required=True)
@click.option(
    "--claims",
    "claims_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="JSON object: issuer, permit_number, kind, holder_name, issued_at, expires_at, parcel, address, figures.",
)
@click.option(
    "--png", type=click.Path(dir_okay=False, path_type=Path), help="Also save the QR as PNG."
)
@click.option(
    "--svg", type=click.Path(dir_okay=False, path_type=Path), help="Also save the QR as SVG."
)
@click.option("--compress/--no-compress", default=None, help="zlib (default: when it is shorter).")
@passphrase_option
def token_issue(
    signer_dir: Path,
    claims_file: Path,
    png: Path | None,
    svg: Path | None,
    compress: bool | None,
    passphrase_env: str,
) -> None:
    """Sign a permit's claims and print the token text."""
    try:
        data = json.loads(claims_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise click.UsageError(f"{claims_file}: not JSON ({error})") from None
    claims = _claims_from_json(data, str(claims_file))
    text = issue(claims, _load_credential(signer_dir, passphrase_env), compress=compress)
    if png is not None:
        render_png(text, png)
    if svg is not None:
        svg.write_text(render_svg(text), encoding="utf-8")
    click.echo(text)


@token_group.command("verify")
@click.argument("text")
@_verification_options
@click.pass_context
def token_verify(
    ctx: click.Context,
    text: str,
    trust_file: Path,
    root_file: Path,
    revocation_files: tuple[Path, ...],
    at: str | None,
) -> None:
    """Verify token TEXT (exit 0 valid, 1 invalid)."""
    ctx.exit(_verify_text(text, _load_context(trust_file, root_file, revocation_files, at)))


def _printable(value: object) -> object:
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, dict):
        return {str(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, cbor.Tagged):
        return {"tag": value.tag, "value": _printable(value.value)}
    return value


@token_group.command("inspect")
@click.argument("text")
@click.pass_context
def token_inspect(ctx: click.Context, text: str) -> None:
    """Decode a token WITHOUT verifying it: headers, key id, claims."""
    try:
        message = cose.parse_sign1(decode_text(text))
        payload = cbor.decode(message.payload)
    except (TokenError, cbor.CborError) as error:
        click.echo(f"✗ {error}")
        ctx.exit(EXIT_INVALID)
    click.echo("NOT VERIFIED — للعرض فقط، لم يتم التحقق من التوقيع")
    click.echo(f"COSE_Sign1: {len(decode_text(text))} bytes")
    click.echo(f"alg: {message.alg!r}  kid: {message.kid.hex() if message.kid else '-'}")
    click.echo("claims: " + json.dumps(_printable(payload), ensure_ascii=False, indent=2))
    try:
        claims = claims_from_map(payload)
    except TokenError as error:
        click.echo(f"claims do not follow the schema: {error}")
        return
    click.echo("")
    click.echo(format_permit(claims))


# --- trust lists -----------------------------------------------------------------------------


@click.group("trust")
def trust_group() -> None:
    """Trust lists: the signing certificates verifiers accept."""


def _parse_retired(values: Sequence[str]) -> dict[bytes, datetime]:
    retired: dict[bytes, datetime] = {}
    for value in values:
        kid, _, when = value.partition("=")
        moment = _parse_time(when or None) or datetime.now(UTC)
        try:
            retired[bytes.fromhex(kid)] = moment
        except ValueError:
            raise click.BadParameter(f"{value!r}: expected KIDHEX=ISO-TIME") from None
    return retired


@trust_group.command("build")
@click.option(
    "--cert",
    "certs",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
)
@click.option("--sequence", type=click.IntRange(0), required=True)
@click.option(
    "--retired", multiple=True, help="KIDHEX=ISO-TIME: a certificate retired at that time."
)
@click.option("--next-update-days", type=click.IntRange(1), default=None)
@click.option(
    "--root",
    "root_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Check chains to this root.",
)
@click.option(
    "--chain",
    "chain_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
)
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def trust_build(
    certs: tuple[Path, ...],
    sequence: int,
    retired: tuple[str, ...],
    next_update_days: int | None,
    root_file: Path | None,
    chain_files: tuple[Path, ...],
    out: Path,
) -> None:
    """Build an unsigned trust-list draft from signing certificates."""
    certificates = [c for path in certs for c in load_certificates(path)]
    intermediates = [c for path in chain_files for c in load_certificates(path)]
    now = datetime.now(UTC)
    draft = TrustList.build(
        certificates,
        sequence=sequence,
        retired=_parse_retired(retired),
        next_update=now + timedelta(days=next_update_days) if next_update_days else None,
        root=load_certificate(root_file) if root_file else None,
        intermediates=intermediates,
    )
    out.write_bytes(draft.to_unsigned())
    click.echo(f"{out}: draft trust list {sequence} with {len(draft.signers)} certificates")


@trust_group.command("sign")
@click.argument("draft", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--signer", "signer_dir", type=directory_type, required=True, help="Root or trust-list signer."
)
@click.option(
    "--root",
    "root_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
)
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def trust_sign(
    draft: Path, signer_dir: Path, root_file: Path, out: Path, passphrase_env: str
) -> None:
    """Sign a trust-list draft."""
    trust = TrustList.from_unsigned(draft.read_bytes())
    out.write_bytes(
        trust.sign(_load_credential(signer_dir, passphrase_env), load_certificate(root_file))
    )
    click.echo(f"{out}: signed trust list {trust.sequence}")


@trust_group.command("show")
@click.argument("trust_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--root",
    "root_file",
    envvar="LOCALGOV_TRUST_ROOT",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
)
def trust_show(trust_file: Path, root_file: Path) -> None:
    """Verify a signed trust list and print its certificates."""
    trust = TrustList.load(trust_file.read_bytes(), load_certificate(root_file))
    click.echo(
        f"قائمة الثقة رقم / trust list sequence: {trust.sequence} ({to_eastern_digits(str(trust.sequence))})"
    )
    click.echo(f"issued at: {trust.issued_at.isoformat()}")
    if trust.next_update:
        click.echo(f"next update: {trust.next_update.isoformat()}")
    for signer in trust.signers:
        state = f"retired {signer.retired_at.isoformat()}" if signer.retired_at else "current"
        click.echo(
            f"- kid {signer.kid.hex()}  unit {signer.unit_code or '-'}  {state}\n"
            f"  {signer.subject}\n"
            f"  valid {signer.not_before.date()} .. {signer.not_after.date()}\n"
            f"  kinds: {', '.join(sorted(signer.kinds)) or '-'}"
        )


# --- revocation ------------------------------------------------------------------------------


@click.command("revoke")
@click.option("--token", "tokens", multiple=True, help="Token text of a permit to revoke.")
@click.option(
    "--permit", "permits", multiple=True, help="KIDHEX:ISSUER/NUMBER of a permit to revoke."
)
@click.option(
    "--list",
    "list_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Current revocation list, then its deltas in order (none: start a new list).",
)
@click.option("--signer", "signer_dir", type=directory_type, required=True)
@click.option(
    "--root",
    "root_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
)
@click.option("--full", is_flag=True, help="Write the whole list (a new base) instead of a delta.")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def revoke_command(
    tokens: tuple[str, ...],
    permits: tuple[str, ...],
    list_files: tuple[Path, ...],
    signer_dir: Path,
    root_file: Path,
    full: bool,
    out: Path,
    passphrase_env: str,
) -> None:
    """Revoke permits: write a signed revocation delta (or full list)."""
    if not tokens and not permits:
        raise click.UsageError("name at least one permit (--token or --permit)")
    root = load_certificate(root_file)
    current = RevocationList.from_updates(
        RevocationUpdate.load(p.read_bytes(), root) for p in list_files
    )
    revoke: dict[bytes, set[bytes]] = {}
    for text in tokens:
        message = cose.parse_sign1(decode_text(text))
        claims = claims_from_map(cbor.decode(message.payload))
        if message.kid is None:
            raise click.UsageError("token has no key id")
        revoke.setdefault(message.kid, set()).add(claims.revocation_hash)
    for value in permits:
        kid_hex, _, permit_id = value.partition(":")
        issuer, _, number = permit_id.partition("/")
        try:
            kid = bytes.fromhex(kid_hex)
        except ValueError:
            kid = b""
        if not kid or not issuer or not number:
            raise click.BadParameter(f"{value!r}: expected KIDHEX:ISSUER/NUMBER")
        revoke.setdefault(kid, set()).add(revocation_hash(issuer, number))
    delta = current.delta(revoke)
    update = current.apply(delta).full_update() if full else delta
    out.write_bytes(update.sign(_load_credential(signer_dir, passphrase_env), root))
    count = sum(len(h) for h in revoke.values())
    click.echo(
        f"{out}: revocation list {update.sequence} ({'full' if full else f'delta from {delta.base}'}), {count} permit(s) revoked"
    )


COMMANDS: tuple[click.Command, ...] = (
    pki_group,
    token_group,
    trust_group,
    revoke_command,
    verify_command,
)
