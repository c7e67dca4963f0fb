"""``localgov token``: sign a permit's claims, verify a token, or decode one without verifying.

localgov token issue|verify|inspect
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import click

from localgov.cli.credentials import directory_type, load_credential, passphrase_option
from localgov.cli.verify import (
    EXIT_INVALID,
    load_context,
    parse_time,
    verification_options,
    verify_text,
)
from localgov.tokens import PermitClaims, TokenError, cbor, cose, decode_text, format_permit, issue
from localgov.tokens.cwt import claims_from_map
from localgov.tokens.qr import render_png, render_svg

__all__ = ["COMMANDS", "token_group"]


def _claims_from_json(data: object, source: str) -> PermitClaims:
    if not isinstance(data, dict):
        raise click.UsageError(f"{source}: expected a JSON object of permit fields")
    fields = dict(data)
    for name in ("issued_at", "expires_at", "valid_from"):
        if isinstance(fields.get(name), str):
            fields[name] = parse_time(fields[name])
    fields.setdefault("issued_at", datetime.now(UTC))
    figures = fields.get("figures", {})
    if isinstance(figures, dict):
        fields["figures"] = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in figures.items()}
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
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Also save the QR as PNG.")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), help="Also save the QR as SVG.")
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
    text = issue(claims, load_credential(signer_dir, passphrase_env), compress=compress)
    if png is not None:
        render_png(text, png)
    if svg is not None:
        svg.write_text(render_svg(text), encoding="utf-8")
    click.echo(text)


@token_group.command("verify")
@click.argument("text")
@verification_options
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
    ctx.exit(verify_text(text, load_context(trust_file, root_file, revocation_files, at)))


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


COMMANDS: tuple[click.Command, ...] = (token_group,)
