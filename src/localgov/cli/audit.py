"""``localgov audit``: verify the tamper-evident history, and write and check signed checkpoints."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

import click
from cryptography import x509

from localgov.cli.common import state
from localgov.cli.credentials import directory_type, load_credential, passphrase_option
from localgov.cli.verify import load_context
from localgov.correspondence import verify_correspondence
from localgov.organisation import Governorate
from localgov.payments.audit import ledger_findings
from localgov.payments.ledger import PaymentLedger
from localgov.permits import issuer_code
from localgov.pki import load_certificate, unit_code_of
from localgov.requests import Engine
from localgov.requests.checkpoints import check_store, load_checkpoints, take_checkpoint
from localgov.storage import LETTER_TABLES, SqlLetterStore, current_version

__all__ = ["COMMANDS"]

_file = click.Path(dir_okay=False, exists=True, path_type=Path)


@click.group("audit")
def audit() -> None:
    """Verify the tamper-evident history (سجل التدقيق)."""


@audit.command("verify")
@click.argument("request_ids", nargs=-1)
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=_file,
    help="A signed checkpoint to compare the database with (repeatable): finds rollback, deletion, forks. "
    "An incremental one needs the checkpoints it builds on, back to a full one.",
)
@click.option("--trust", "trust_file", type=_file, help="The trust list that checkpoints are checked against.")
@click.option(
    "--root",
    "root_file",
    type=_file,
    help="The national root certificate (PEM): the trust list, and every letter's signer, must chain to it.",
)
@click.pass_context
def verify(
    ctx: click.Context,
    request_ids: tuple[str, ...],
    checkpoint_files: tuple[Path, ...],
    trust_file: Path | None,
    root_file: Path | None,
) -> None:
    """Verify the history of the given requests, or of every request (and the payment ledger and the
    correspondence: every letter, its signature and the units' books).

    Exit status 0 when everything verifies, 1 when any finding is reported (each one named).
    """
    engine = state(ctx).engine
    findings = {rid: engine.verify_history(rid) for rid in request_ids} if request_ids else engine.audit()
    letters: int | None = None
    if not request_ids:
        providers = state(ctx).app.payment_providers
        for rid, found in ledger_findings(PaymentLedger.for_engine(engine), engine.store, providers).items():
            findings.setdefault(rid, []).extend(found)
        root = load_certificate(root_file) if root_file is not None else None
        letters = _letter_findings(engine, findings, root)
    findings = {rid: found for rid, found in findings.items() if found}
    against: list[str] = []
    if checkpoint_files:
        if trust_file is None or root_file is None:
            raise click.UsageError("--checkpoint needs --trust and --root to check its signature")
        trust = load_context(trust_file, root_file, (), None).trust
        # A delta is read with the checkpoints before it, which must be among those given.
        checkpoints, against = load_checkpoints([(str(path), path.read_bytes()) for path in checkpoint_files], trust)
        against += check_store(engine.store, checkpoints)
    if not findings and not against:
        count = len(request_ids) if request_ids else len(engine.store.request_ids())
        click.echo(f"ok: the history of {count} request{'s' if count != 1 else ''} verifies")
        if letters:
            click.echo(f"ok: {letters} letter{'s' if letters != 1 else ''} and their books verify")
        for path in checkpoint_files:
            click.echo(f"ok: the database extends checkpoint {path}")
        return
    for request_id, found in sorted(findings.items()):
        for finding in found:
            click.echo(f"{request_id}: {finding}")
    for finding in against:
        click.echo(finding)
    total = sum(map(len, findings.values())) + len(against)
    click.echo(f"history does not verify: {total} findings", err=True)
    ctx.exit(1)


@audit.command("checkpoint")
@click.option(
    "--signer",
    "signer_dir",
    type=directory_type,
    required=True,
    help="The unit's document-signing credential (from `localgov pki issue-signer`).",
)
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Where to write it: a directory the database's operator cannot rewrite.",
)
@passphrase_option
@click.pass_context
def checkpoint(ctx: click.Context, signer_dir: Path, directory: Path, passphrase_env: str) -> None:
    """Sign the chain heads of every request of the signer's unit, now, and write them to --out."""
    signer = load_credential(signer_dir, passphrase_env)
    issuer = unit_code_of(signer.certificate)
    unit = _unit_of(issuer, state(ctx).app.organisation)
    assert issuer is not None  # _unit_of found a unit with this code
    made_at = datetime.datetime.now(datetime.UTC)
    taken = take_checkpoint(state(ctx).engine.store, unit, issuer, made_at)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{issuer}-{taken.made_at.strftime('%Y%m%dT%H%M%SZ')}.checkpoint"
    target.write_bytes(taken.sign(signer))
    click.echo(f"{target}: {taken.size} requests of unit {unit}, root {taken.root.hex()}")


def _letter_findings(engine: Engine, findings: dict[str, list[str]], root: x509.Certificate | None) -> int:
    """Add the correspondence's findings, if the database keeps letters; return how many it keeps.

    With the national ``root`` (``--root``), each letter's signer must chain to it."""
    database = getattr(engine.store, "engine", None)
    if database is None or current_version(database, LETTER_TABLES) == 0:
        return 0
    store = SqlLetterStore(database)
    for letter_id, found in verify_correspondence(store, engine.audit_key, root=root).items():
        findings.setdefault(letter_id, []).extend(found)
    return len(store.letter_ids())


def _unit_of(issuer: str | None, organisation: Mapping[str, Governorate]) -> str:
    """The unit code whose permits the certificate signs (its issuer code, e.g. C-ZTN)."""
    for governorate in organisation.values():
        for code in governorate.units:
            if issuer_code(governorate, code) == issuer:
                return code
    raise click.UsageError(f"the signer's certificate names unit {issuer!r}, which no loaded governorate has")


COMMANDS = (audit,)
