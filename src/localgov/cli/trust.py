"""``localgov trust`` and ``localgov revoke``: which signers verifiers accept, and which permits they refuse.

localgov trust build|sign|show
localgov revoke
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from localgov.cli.credentials import directory_type, load_credential, passphrase_option
from localgov.cli.verify import parse_time
from localgov.i18n import to_eastern_digits
from localgov.pki import device_id_of, kid_of, load_certificate, load_certificates
from localgov.tokens import (
    RevocationList,
    RevocationUpdate,
    TrustList,
    cbor,
    cose,
    decode_text,
    revocation_hash,
)
from localgov.tokens.cwt import claims_from_map

__all__ = ["COMMANDS", "revoke_command", "trust_group"]


@click.group("trust")
def trust_group() -> None:
    """Trust lists: the signing certificates verifiers accept."""


def _parse_retired(values: Sequence[str]) -> dict[bytes, datetime]:
    retired: dict[bytes, datetime] = {}
    for value in values:
        kid, _, when = value.partition("=")
        moment = parse_time(when or None) or datetime.now(UTC)
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
@click.option("--retired", multiple=True, help="KIDHEX=ISO-TIME: a certificate retired at that time.")
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
@click.option("--signer", "signer_dir", type=directory_type, required=True, help="Root or trust-list signer.")
@click.option(
    "--root",
    "root_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
)
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def trust_sign(draft: Path, signer_dir: Path, root_file: Path, out: Path, passphrase_env: str) -> None:
    """Sign a trust-list draft."""
    trust = TrustList.from_unsigned(draft.read_bytes())
    out.write_bytes(trust.sign(load_credential(signer_dir, passphrase_env), load_certificate(root_file)))
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
    click.echo(f"قائمة الثقة رقم / trust list sequence: {trust.sequence} ({to_eastern_digits(str(trust.sequence))})")
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


@click.command("revoke")
@click.option("--token", "tokens", multiple=True, help="Token text of a permit to revoke.")
@click.option("--permit", "permits", multiple=True, help="KIDHEX:ISSUER/NUMBER of a permit to revoke.")
@click.option(
    "--device",
    "devices",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Certificate (PEM or DER; the first of a chain file) of a device to revoke (a lost tablet): refused from now on.",
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
    devices: tuple[Path, ...],
    list_files: tuple[Path, ...],
    signer_dir: Path,
    root_file: Path,
    full: bool,
    out: Path,
    passphrase_env: str,
) -> None:
    """Revoke permits or devices: write a signed revocation delta (or full list)."""
    if not tokens and not permits and not devices:
        raise click.UsageError("name at least one permit (--token or --permit) or device (--device)")
    root = load_certificate(root_file)
    current = RevocationList.from_updates(RevocationUpdate.load(p.read_bytes(), root) for p in list_files)
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
    now = datetime.now(UTC)
    lost: dict[bytes, datetime] = {}
    for path in devices:
        certificate = load_certificates(path)[0]  # a device's chain file starts with its own
        if device_id_of(certificate) is None:
            raise click.BadParameter(f"{path}: not a device certificate (no device id)")
        lost[kid_of(certificate)] = now
    delta = current.delta(revoke, issued_at=now, revoke_devices=lost)
    update = current.apply(delta).full_update(issued_at=now) if full else delta
    out.write_bytes(update.sign(load_credential(signer_dir, passphrase_env), root))
    count = sum(len(h) for h in revoke.values())
    click.echo(
        f"{out}: revocation list {update.sequence} ({'full' if full else f'delta from {delta.base}'}), "
        f"{count} permit(s) and {len(lost)} device(s) revoked"
    )


COMMANDS: tuple[click.Command, ...] = (trust_group, revoke_command)
