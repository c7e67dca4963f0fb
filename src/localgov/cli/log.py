"""``localgov log``: the public, append-only log of issued permits and revocations.

Exit status: 0 when all is well, 1 for a finding (a proof that does not hold, a stored log that
does not match its entries, a witness's alarm), 2 for input that cannot be used (a malformed
file, an unknown key), as every localgov command.
"""

from __future__ import annotations

import datetime
import os
import signal
import threading
from pathlib import Path

import click

from localgov.cli.common import state
from localgov.cli.log_source import LogSource
from localgov.permits import log_entry
from localgov.storage.permit_log import SqlPermitLog, write_atomically
from localgov.tokens import revocation_hash
from localgov.transparency import (
    Cosigner,
    Ed25519Signer,
    InclusionProofFile,
    IndexOutOfRange,
    InsufficientCosignatures,
    InvalidNoteSignature,
    OverlongProof,
    RevocationEntry,
    RootMismatch,
    SignedCheckpoint,
    TreeSizeRegressed,
    TruncatedProof,
    UnknownKey,
    Verifier,
    Witness,
    WitnessAlarm,
    WrongOrigin,
    decode_proof,
    encode_proof,
    parse_entry,
    parse_signer_key,
    parse_verifier_key,
    verify_consistency,
)

__all__ = ["COMMANDS"]

_file = click.Path(dir_okay=False, exists=True, path_type=Path)


def _open(ctx: click.Context) -> SqlPermitLog:
    origin = ctx.find_object(_LogOptions)
    return SqlPermitLog.open(state(ctx).database, origin=origin.origin if origin else None)


class _LogOptions:
    def __init__(self, origin: str | None) -> None:
        self.origin = origin


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        raise click.UsageError(f"{path}: not UTF-8 text") from None


def _log_key(path: Path) -> Verifier:
    return parse_verifier_key(_text(path).strip())


def _signer(path: Path) -> Ed25519Signer:
    return parse_signer_key(_text(path).strip())


def _finding(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@click.group("log")
@click.option(
    "--origin",
    envvar="LOCALGOV_LOG_ORIGIN",
    help="The log's name, given when it is first used (log.cairo.gov.eg/permits).",
)
@click.pass_context
def log_group(ctx: click.Context, origin: str | None) -> None:
    """The public log of issued permits (سجل التراخيص العام): append, sign, prove, check."""
    ctx.obj = _LogOptions(origin)


@log_group.command("keygen")
@click.argument("name")
@click.option(
    "--out",
    "prefix",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Writes PREFIX.key (secret, mode 600) and PREFIX.pub.",
)
@click.option("--witness", is_flag=True, help="A witness's key: its public key cosigns (type 0x04).")
def keygen(name: str, prefix: Path, witness: bool) -> None:
    """Make a signing key for a log (NAME: its origin) or for a witness."""
    signer = Ed25519Signer.generate(name)
    public = Cosigner.from_signer(signer).verifier.vkey if witness else signer.verifier.vkey
    secret = prefix.with_name(prefix.name + ".key")
    prefix.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(signer.skey + "\n")
    prefix.with_name(prefix.name + ".pub").write_text(public + "\n", "utf-8")
    click.echo(public)


@log_group.command("append")
@click.option("--token", "tokens", multiple=True, help="A permit token this deployment issued.")
@click.option("--revoked", "revoked", multiple=True, help="KIDHEX:ISSUER/NUMBER of a revoked permit.")
@click.option("--entry", "entry_files", multiple=True, type=_file, help="A file holding one entry.")
@click.pass_context
def append(
    ctx: click.Context, tokens: tuple[str, ...], revoked: tuple[str, ...], entry_files: tuple[Path, ...]
) -> None:
    """Append permits issued and permits revoked, in one transaction; print their indexes."""
    now = datetime.datetime.now(datetime.UTC)
    entries = [log_entry(token).encode() for token in tokens]
    for value in revoked:
        kid_hex, _, permit = value.partition(":")
        issuer, _, number = permit.partition("/")
        try:
            kid = bytes.fromhex(kid_hex)
        except ValueError:
            kid = b""
        if not kid or not issuer or not number:
            raise click.BadParameter(f"{value!r}: expected KIDHEX:ISSUER/NUMBER", param_hint="--revoked")
        entries.append(RevocationEntry(kid, revocation_hash(issuer, number), now).encode())
    for path in entry_files:
        data = path.read_bytes()
        parse_entry(data)  # only entries a monitor can read go in
        entries.append(data)
    if not entries:
        raise click.UsageError("nothing to append: give --token, --revoked or --entry")
    log = _open(ctx)
    for index, entry in zip(log.append_many(entries), entries, strict=True):
        kind = entry.partition(b"\n")[0].decode()
        click.echo(f"{index}\t{kind}")


@log_group.command("head")
@click.option("--key", "key_file", type=_file, help="The log's signing key: sign the current head.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the checkpoint here.")
@click.option(
    "--every",
    type=click.FloatRange(min=0.1),
    help="Keep signing: a new head every this many seconds when the log has grown (needs --key; stop with Ctrl-C or SIGTERM).",
)
@click.pass_context
def head(ctx: click.Context, key_file: Path | None, out: Path | None, every: float | None) -> None:
    """Print the latest signed checkpoint; with --key, sign the current head first."""
    if every is not None:
        if key_file is None:
            raise click.UsageError("--every signs heads: give the log's key with --key")
        _sign_heads(_open(ctx), _signer(key_file), every, out)
        return
    log = _open(ctx)
    signed = log.sign_checkpoint([_signer(key_file)]) if key_file else log.latest_checkpoint()
    if signed is None:
        raise click.UsageError("the log has no signed checkpoint yet: sign one with --key")
    if out:
        out.write_text(str(signed), "utf-8")
    click.echo(str(signed), nl=False)


def _sign_heads(log: SqlPermitLog, signer: Ed25519Signer, every: float, out: Path | None) -> None:
    """Sign the head whenever the log has grown, until stopped: what makes new permits provable.

    A permit appended after the latest checkpoint cannot be proved yet (the verification page says
    "pending"), so a deployment runs this beside its workers; a head for an unchanged size is the
    one already signed, so an idle log costs a read per interval.
    """
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    size = None
    try:
        while not stop.is_set():
            signed = log.sign_checkpoint([signer])
            if signed.checkpoint.size != size:
                size = signed.checkpoint.size
                if out:
                    write_atomically(out, str(signed).encode("utf-8"))
                moment = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                root = signed.checkpoint.root_hash.hex()[:16]
                click.echo(f"{moment}\tsigned the head of {size} entries, root {root}")
            stop.wait(every)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        log.close()


@log_group.command("prove")
@click.option("--index", type=click.IntRange(min=0), help="The entry's index.")
@click.option("--token", help="The permit token whose entry to prove.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the proof file here.")
@click.pass_context
def prove(ctx: click.Context, index: int | None, token: str | None, out: Path | None) -> None:
    """An inclusion proof against the latest checkpoint, as a c2sp.org/tlog-proof file."""
    log = _open(ctx)
    signed = log.latest_checkpoint()
    if signed is None:
        raise click.UsageError("the log has no signed checkpoint yet: run `localgov log head --key ...`")
    if (index is None) == (token is None):
        raise click.UsageError("give exactly one of --index and --token")
    if token is not None:
        wanted = log_entry(token).encode()
        index = next((i for i, e in log.entries(0, signed.checkpoint.size) if e == wanted), None)
        if index is None:
            _finding(f"the permit's entry is not in the log's first {signed.checkpoint.size} entries")
    assert index is not None
    proof = InclusionProofFile(index, tuple(log.inclusion_proof(index, signed.checkpoint.size)), signed)
    if out:
        out.write_text(str(proof), "utf-8")
    click.echo(str(proof), nl=False)


@log_group.command("consistency")
@click.argument("old", type=_file)
@click.pass_context
def consistency(ctx: click.Context, old: Path) -> None:
    """The consistency proof from an OLD checkpoint file to the latest: hex, then the new checkpoint."""
    log = _open(ctx)
    before = SignedCheckpoint.parse(_text(old)).checkpoint
    latest = log.latest_checkpoint()
    if latest is None:
        raise click.UsageError("the log has no signed checkpoint yet")
    click.echo(encode_proof(log.consistency_proof(before.size, latest.checkpoint.size)).hex())
    click.echo(str(latest), nl=False)


@log_group.command("check")
@click.option("--proof", "proof_file", type=_file, help="An inclusion proof file to check offline.")
@click.option("--log-key", "log_key", type=_file, help="The log's public key (for --proof and --consistent).")
@click.option("--token", help="The permit the proof is for.")
@click.option("--entry", "entry_file", type=_file, help="The entry the proof is for (instead of --token).")
@click.option(
    "--consistent",
    "pair",
    nargs=3,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="OLD NEW PROOF: check that checkpoint NEW extends OLD (PROOF: hex from `log consistency`).",
)
@click.pass_context
def check(
    ctx: click.Context,
    proof_file: Path | None,
    log_key: Path | None,
    token: str | None,
    entry_file: Path | None,
    pair: tuple[Path, Path, Path] | None,
) -> None:
    """Check the stored log against its entries, or (offline) a proof against the log's key."""
    if proof_file is None and pair is None:
        log = _open(ctx)
        findings = log.check()
        for finding in findings:
            click.echo(finding)
        if findings:
            _finding(f"the permit log does not verify: {len(findings)} findings")
        click.echo(f"ok: the log's {log.size} entries make every stored hash and checkpoint")
        return
    if log_key is None:
        raise click.UsageError("--log-key is needed to check a proof")
    key = _log_key(log_key)
    try:
        if pair is not None:
            _check_consistency(key, *pair)
        if proof_file is not None:
            _check_inclusion(key, proof_file, token, entry_file)
    except _FINDINGS as error:
        _finding(f"does not verify: {error}")


# What a proof or checkpoint that does not hold raises (exit 1); malformed input raises other
# localgov errors, which exit 2.
_FINDINGS = (
    RootMismatch,
    TruncatedProof,
    OverlongProof,
    IndexOutOfRange,
    TreeSizeRegressed,
    UnknownKey,
    InvalidNoteSignature,
    WrongOrigin,
    InsufficientCosignatures,
)


def _check_inclusion(key: Verifier, proof_file: Path, token: str | None, entry_file: Path | None) -> None:
    if (token is None) == (entry_file is None):
        raise click.UsageError("give exactly one of --token and --entry with --proof")
    entry = log_entry(token).encode() if token is not None else entry_file.read_bytes()  # type: ignore[union-attr]
    proof = InclusionProofFile.parse(proof_file.read_bytes())
    head = proof.verify(entry, [key], origin=key.name).checkpoint
    click.echo(f"ok: in the public log {head.origin} at index {proof.index} (tree of {head.size} entries)")


def _check_consistency(key: Verifier, old: Path, new: Path, proof: Path) -> None:
    before = SignedCheckpoint.parse(_text(old)).verify([key], origin=key.name).checkpoint
    after = SignedCheckpoint.parse(_text(new)).verify([key], origin=key.name).checkpoint
    first_line = _text(proof).partition("\n")[0].strip()
    try:
        hashes = decode_proof(bytes.fromhex(first_line))
    except ValueError:
        raise click.UsageError(f"{proof}: the first line is not the hex of a consistency proof") from None
    verify_consistency(before.size, after.size, hashes, before.root_hash, after.root_hash)
    click.echo(f"ok: the tree of {after.size} entries extends the tree of {before.size}")


@log_group.command("tiles")
@click.option("--out", "directory", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.pass_context
def tiles(ctx: click.Context, directory: Path) -> None:
    """Write the latest checkpoint and its tiles as static files (c2sp.org/tlog-tiles)."""
    signed = _open(ctx).write_tiles(directory)
    click.echo(f"{directory}: checkpoint and tiles of {signed.checkpoint.size} entries")


@log_group.command("witness")
@click.option("--log-key", "log_key", type=_file, required=True, help="The log's public key.")
@click.option("--key", "key_file", type=_file, required=True, help="The witness's signing key.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where the witness keeps the last checkpoint it cosigned.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the cosigned checkpoint here.")
@click.option(
    "--from",
    "source",
    metavar="URL|DIR",
    help="Read the log as published (a URL such as https://host/log, or the folder `log tiles` wrote) "
    "instead of its database.",
)
@click.pass_context
def witness(
    ctx: click.Context, log_key: Path, key_file: Path, state_file: Path, out: Path | None, source: str | None
) -> None:
    """Fetch the log's latest checkpoint, check it extends the last one cosigned, and cosign it.

    Exit 1 (an alarm) when the log rolled back or forked; the state file is then left as it was.
    A witness outside the log's operator reads it with --from, from what the log publishes.
    """
    key = _log_key(log_key)
    log: SqlPermitLog | LogSource = LogSource(source) if source else _open(ctx)
    latest = log.checkpoint() if isinstance(log, LogSource) else log.latest_checkpoint()
    if latest is None:
        raise click.UsageError("the log has no signed checkpoint yet")
    last = SignedCheckpoint.parse(_text(state_file)).checkpoint if state_file.exists() else None
    observer = Witness(Cosigner.from_signer(_signer(key_file)), key, origin=key.name, last=last)
    try:
        proof = (
            []
            if last is None or last.size > latest.checkpoint.size
            else log.consistency_proof(last.size, latest.checkpoint.size)
        )
        cosigned = observer.observe(latest, proof)
    except WitnessAlarm as alarm:
        _finding(f"ALARM: {alarm}")
    state_file.write_text(str(cosigned), "utf-8")
    if out:
        out.write_text(str(cosigned), "utf-8")
    click.echo(str(cosigned), nl=False)


COMMANDS = (log_group,)
