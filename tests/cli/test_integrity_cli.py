"""Integrity on the command line, on the demo's database: the attacks of issue #18 and their findings.

Exit status 1 is a finding, 2 unusable input; never a traceback.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from localgov.cli import cli

ORIGIN = "log.cairo.gov.eg/permits"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("demo") / "demo"
    assert run("demo", "--output", output).exit_code == 0
    return output


@pytest.fixture
def demo(demo_once: Path, tmp_path: Path) -> Path:
    """A copy of the demo's output, for a test to tamper with."""
    copy = tmp_path / "demo"
    shutil.copytree(demo_once, copy)
    return copy


def _db(demo: Path) -> tuple[str, ...]:
    return ("--db", f"sqlite:///{demo / 'localgov.db'}", "--audit-key-file", str(demo / "audit.key"))


def _sql(demo: Path, *statements: str) -> None:
    with sqlite3.connect(demo / "localgov.db") as connection:
        for statement in statements:
            connection.execute(statement)


def _request_id(demo: Path) -> str:
    with sqlite3.connect(demo / "localgov.db") as connection:
        return str(connection.execute("SELECT id FROM lg_requests").fetchone()[0])


def test_the_issues_two_edits_are_named_by_audit_verify_and_refused_by_request_show(demo: Path) -> None:
    _sql(
        demo,
        "UPDATE lg_requests SET data = json_set(data, '$.applicant.national_id', '29001010100011')",
        "UPDATE lg_requests SET data = replace(data, '25000.00', '1.00')",
    )
    verified = run(*_db(demo), "audit", "verify")
    assert verified.exit_code == 1
    assert "applicant.national_id" in verified.output
    assert "does not match its seal" in verified.output
    assert "invoice.total" in verified.output
    shown = run(*_db(demo), "request", "show", _request_id(demo))
    assert shown.exit_code == 2
    assert "does not match its seal" in shown.output and "Traceback" not in shown.output


def test_a_deleted_request_passes_inside_the_database_but_not_against_the_checkpoint(demo: Path) -> None:
    (checkpoint,) = (demo / "checkpoints").iterdir()
    trust = ("--trust", demo / "trust-list.cose", "--root", demo / "root.pem")
    assert run(*_db(demo), "audit", "verify", "--checkpoint", checkpoint, *trust).exit_code == 0
    request_id = _request_id(demo)
    _sql(
        demo,
        f"DELETE FROM lg_events WHERE request_id = '{request_id}'",
        f"DELETE FROM lg_requests WHERE id = '{request_id}'",
        f"DELETE FROM lg_payment_orders WHERE request_id = '{request_id}'",
        "UPDATE lg_sequences SET last = 0",  # the tracking and the permit counters rewound
    )
    assert run(*_db(demo), "audit", "verify").exit_code == 0  # a thorough insider: nothing inside shows it
    found = run(*_db(demo), "audit", "verify", "--checkpoint", checkpoint, *trust)
    assert found.exit_code == 1
    assert f"{request_id}: in the checkpoint of" in found.output and "(deleted)" in found.output


def test_a_chain_of_incremental_checkpoints_is_verified_and_a_missing_link_named(demo: Path) -> None:
    from localgov.pki import Credential, load_certificate, load_private_key
    from localgov.requests import Checkpointer
    from localgov.storage import SqlStore

    chain = demo / "chain"
    chain.mkdir()
    written: list[Path] = []

    def write(checkpoint: object, data: bytes) -> None:
        written.append(chain / f"{len(written)}.checkpoint")
        written[-1].write_bytes(data)

    store = SqlStore.open(f"sqlite:///{demo / 'localgov.db'}")
    signer = Credential(
        load_certificate(demo / "pki" / "zeitoun-signer.pem"),
        load_private_key(demo / "pki" / "zeitoun-signer.key", None),
    )
    checkpointer = Checkpointer(store, unit="zeitoun", issuer="C-ZTN", signer=signer, write=write, interval=None)
    checkpointer.checkpoint()
    checkpointer.checkpoint()
    checkpointer.checkpoint()
    store.close()
    trust = ("--trust", demo / "trust-list.cose", "--root", demo / "root.pem")
    every = [arg for path in written for arg in ("--checkpoint", path)]
    verified = run(*_db(demo), "audit", "verify", *every, *trust)
    assert verified.exit_code == 0, verified.output
    assert f"ok: the database extends checkpoint {written[2]}" in verified.output
    gap = run(*_db(demo), "audit", "verify", "--checkpoint", written[0], "--checkpoint", written[2], *trust)
    assert gap.exit_code == 1 and "Traceback" not in gap.output
    assert f"{written[2]}: the checkpoint of" in gap.output and "which is not among those given" in gap.output
    altered = bytearray(written[0].read_bytes())
    altered[-5] ^= 1
    tampered = chain / "tampered.checkpoint"
    tampered.write_bytes(bytes(altered))
    unusable = run(*_db(demo), "audit", "verify", "--checkpoint", tampered, *every[2:], *trust)
    assert unusable.exit_code == 2 and str(tampered) in unusable.output and "Traceback" not in unusable.output
    request_id = _request_id(demo)
    _sql(
        demo,
        f"DELETE FROM lg_events WHERE request_id = '{request_id}'",
        f"DELETE FROM lg_requests WHERE id = '{request_id}'",
        f"DELETE FROM lg_payment_orders WHERE request_id = '{request_id}'",
        "UPDATE lg_sequences SET last = 0",
    )
    found = run(*_db(demo), "audit", "verify", *every, *trust)
    assert found.exit_code == 1
    assert found.output.count(f"{request_id}: in the checkpoint of") == 3 and "(deleted)" in found.output


def test_a_checkpoint_file_that_is_not_one_is_unusable_input(demo: Path) -> None:
    bogus = demo / "bogus.checkpoint"
    bogus.write_bytes(b"\xa0not a checkpoint")
    result = run(
        *_db(demo),
        "audit",
        "verify",
        "--checkpoint",
        bogus,
        "--trust",
        demo / "trust-list.cose",
        "--root",
        demo / "root.pem",
    )
    assert result.exit_code == 2 and "bogus.checkpoint" in result.output


def _token(demo: Path) -> str:
    return (demo / "permit-token.txt").read_text().strip()


def _another_token(token: str) -> str:
    """The token with its last character changed (to one it surely is not)."""
    return token[:-1] + ("1" if token.endswith("0") else "0")


def test_the_permits_inclusion_proof_verifies_offline(demo: Path) -> None:
    result = run(
        "log", "check", "--proof", demo / "permit.proof", "--log-key", demo / "log.pub", "--token", _token(demo)
    )
    assert result.exit_code == 0
    assert f"in the public log {ORIGIN} at index 0" in result.output


def test_a_forged_proof_is_a_finding_and_a_garbled_one_unusable(demo: Path) -> None:
    proof = (demo / "permit.proof").read_text()
    forged = demo / "forged.proof"
    forged.write_text(proof.replace("index 0", "index 1"))  # the one-leaf tree has no index 1
    result = run("log", "check", "--proof", forged, "--log-key", demo / "log.pub", "--token", _token(demo))
    assert result.exit_code == 1 and "does not verify" in result.output
    garbled = demo / "garbled.proof"
    garbled.write_text(proof.replace("c2sp.org/tlog-proof@v1", "tlog-proof"))
    result = run("log", "check", "--proof", garbled, "--log-key", demo / "log.pub", "--token", _token(demo))
    assert result.exit_code == 2 and "starts with 'c2sp.org/tlog-proof@v1'" in result.output


def test_a_proof_for_another_permit_or_under_another_key_does_not_verify(demo: Path, tmp_path: Path) -> None:
    other = run(
        "log",
        "check",
        "--proof",
        demo / "permit.proof",
        "--log-key",
        demo / "log.pub",
        "--token",
        _another_token(_token(demo)),
    )
    assert other.exit_code in (1, 2)  # another token: unreadable, or its entry is not the logged one
    assert run("log", "keygen", ORIGIN, "--out", tmp_path / "impostor").exit_code == 0
    impostor = run(
        "log",
        "check",
        "--proof",
        demo / "permit.proof",
        "--log-key",
        tmp_path / "impostor.pub",
        "--token",
        _token(demo),
    )
    assert impostor.exit_code == 1
    assert "signed by no trusted key" in impostor.output


def test_log_append_head_prove_consistency_and_check_on_the_database(demo: Path, tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{demo / 'localgov.db'}")
    first = tmp_path / "head1"
    assert run(*db, "log", "head", "--out", first).exit_code == 0
    appended = run(*db, "log", "append", "--revoked", "0102030405060708:C-ZTN/2026/ZTN/000001")
    assert appended.exit_code == 0 and appended.output == "1\tlocalgov/revocation/v1\n"
    second = tmp_path / "head2"
    assert run(*db, "log", "head", "--key", demo / "log.key", "--out", second).exit_code == 0
    proof = tmp_path / "consistency"
    proof.write_text(run(*db, "log", "consistency", first).output)
    checked = run("log", "check", "--log-key", demo / "log.pub", "--consistent", first, second, proof)
    assert checked.exit_code == 0 and "the tree of 2 entries extends the tree of 1" in checked.output
    backwards = run("log", "check", "--log-key", demo / "log.pub", "--consistent", second, first, proof)
    assert backwards.exit_code == 1
    assert run(*db, "log", "check").exit_code == 0
    _sql(demo, "UPDATE lg_log_entries SET entry = X'00' WHERE idx = 0")
    tampered = run(*db, "log", "check")
    assert tampered.exit_code == 1 and "entry 0 was changed after it was logged" in tampered.output


def test_a_witness_cosigns_what_extends_and_raises_an_alarm_on_a_fork(demo: Path, tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{demo / 'localgov.db'}")
    assert run("log", "keygen", "witness.example", "--witness", "--out", tmp_path / "w").exit_code == 0
    witness = (
        "log",
        "witness",
        "--log-key",
        demo / "log.pub",
        "--key",
        tmp_path / "w.key",
        "--state",
        tmp_path / "state",
    )
    first = run(*db, *witness)
    assert first.exit_code == 0 and "— witness.example " in first.output
    assert run(*db, "log", "append", "--entry", _entry_file(tmp_path)).exit_code == 0
    assert run(*db, "log", "head", "--key", demo / "log.key").exit_code == 0
    assert run(*db, *witness).exit_code == 0
    # The operator rewrites the log's history and signs the rewritten tree with the log's key.
    _sql(
        demo,
        "DELETE FROM lg_log_entries",
        "DELETE FROM lg_log_nodes",
        "DELETE FROM lg_log_checkpoints",
        "UPDATE lg_log_state SET size = 0, edge = X''",
    )
    for _ in range(3):
        assert run(*db, "log", "append", "--entry", _entry_file(tmp_path, "C-HLP")).exit_code == 0
    assert run(*db, "log", "head", "--key", demo / "log.key").exit_code == 0
    before = (tmp_path / "state").read_text()
    alarm = run(*db, *witness)
    assert alarm.exit_code == 1 and "ALARM" in alarm.output and "forked" in alarm.output
    assert (tmp_path / "state").read_text() == before


def _entry_file(directory: Path, issuer: str = "C-ZTN") -> Path:
    import datetime

    from localgov.transparency import PermitEntry

    entry = PermitEntry(
        issuer, "2026/ZTN/000099", "building_permit", datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC), b"\x01" * 32
    )
    path = directory / f"entry-{issuer}"
    path.write_bytes(entry.encode())
    return path


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE lg_payment_orders SET amount = '241.00'", "the ledger says 241.00"),
        ("DELETE FROM lg_payment_orders", "that no credited order in the ledger matches"),
        (
            (
                "INSERT INTO lg_payment_orders SELECT merchant_ref || '-x', request_id, provider, 'F-999', method, amount, "
                "currency, status, reference_number, redirect_url, items, created_at, updated_at, expires_at, credited_at, "
                "refunded FROM lg_payment_orders"
            ),
            "but no payment event in the history records it",
        ),
    ],
    ids=["amount edited", "order deleted", "order added"],
)
def test_the_payment_ledger_is_checked_against_the_histories(demo: Path, statement: str, named: str) -> None:
    assert run(*_db(demo), "audit", "verify").exit_code == 0
    _sql(demo, statement)
    result = run(*_db(demo), "audit", "verify")
    assert result.exit_code == 1 and named in result.output


def test_a_deleted_request_shows_in_its_payment_and_its_permit_number_when_only_its_rows_go(demo: Path) -> None:
    request_id = _request_id(demo)
    _sql(
        demo,
        f"DELETE FROM lg_events WHERE request_id = '{request_id}'",
        f"DELETE FROM lg_requests WHERE id = '{request_id}'",
        "UPDATE lg_sequences SET last = 0 WHERE scope NOT LIKE 'P%'",
    )
    result = run(*_db(demo), "audit", "verify")
    assert result.exit_code == 1
    assert "but no payment event in the history records it" in result.output
    assert "was issued, but no request's history holds it (its request deleted)" in result.output


def test_a_refund_row_that_the_order_does_not_account_for_is_named(demo: Path) -> None:
    _sql(
        demo,
        "INSERT INTO lg_payment_refunds (merchant_ref, provider, amount, reason, refund_ref, requested_by, at) "
        "SELECT merchant_ref, provider, '100.00', 'forged', 'R-1', 'cashier', created_at FROM lg_payment_orders",
    )
    result = run(*_db(demo), "audit", "verify")
    assert result.exit_code == 1
    assert "its refunds add up to 100.00, the order says 0.00 refunded" in result.output


def test_a_refund_forged_in_the_ledger_with_its_order_total_is_named_by_the_history(demo: Path) -> None:
    _sql(
        demo,
        "INSERT INTO lg_payment_refunds (merchant_ref, provider, amount, reason, refund_ref, requested_by, at) "
        "SELECT merchant_ref, provider, '100.00', 'forged', 'R-1', 'cashier', created_at FROM lg_payment_orders",
        "UPDATE lg_payment_orders SET refunded = '100.00', status = 'partially_refunded'",
    )
    result = run(*_db(demo), "audit", "verify")
    assert result.exit_code == 1
    assert "the ledger says 100.00 refunded, the history says 0" in result.output
    assert "its refunds add up to" not in result.output  # the rows and the order agree with each other


def test_a_witness_reads_the_log_as_published_from_tiles_or_the_web(demo: Path, tmp_path: Path) -> None:
    from localgov.app import Localgov
    from localgov.storage.permit_log import SqlPermitLog
    from localgov.testing.web import serve
    from localgov.web import create_app

    db = ("--db", f"sqlite:///{demo / 'localgov.db'}")
    tiles = tmp_path / "tiles"
    assert run("log", "keygen", "witness.example", "--witness", "--out", tmp_path / "w").exit_code == 0
    witness = ("log", "witness", "--log-key", demo / "log.pub", "--key", tmp_path / "w.key", "--state")
    assert run(*db, "log", "tiles", "--out", tiles).exit_code == 0
    assert run(*witness, tmp_path / "state", "--from", tiles).exit_code == 0
    for _ in range(300):  # past a full tile, so the proof needs tiles of two levels
        assert run(*db, "log", "append", "--entry", _entry_file(tmp_path)).exit_code == 0
    assert run(*db, "log", "head", "--key", demo / "log.key").exit_code == 0
    assert run(*db, "log", "tiles", "--out", tiles).exit_code == 0
    grown = run(*witness, tmp_path / "state", "--from", tiles)
    assert grown.exit_code == 0 and "\n301\n" in grown.output

    # The same log served by the web service, read by a second witness over HTTP.
    log = SqlPermitLog.open(f"sqlite:///{demo / 'localgov.db'}")
    application = Localgov(plugins=["cairo"])
    engine = application.engine(f"sqlite:///{demo / 'localgov.db'}", audit_key=(demo / "audit.key").read_bytes())
    with serve(create_app(application, engine, permit_log=log)) as url:
        over_http = run(*witness, tmp_path / "state-http", "--from", f"{url}/log")
        assert over_http.exit_code == 0 and "— witness.example " in over_http.output
        unreachable = run(*witness, tmp_path / "state-x", "--from", f"{url}/nothing")
        assert unreachable.exit_code == 2 and "/nothing/checkpoint: not found" in unreachable.output
    log.close()

    # Forged tiles cannot make the log look consistent: the proof they give fails. The hash of the
    # first 256 entries, which both trees share, is in the level-1 tile.
    assert run(*db, "log", "append", "--entry", _entry_file(tmp_path)).exit_code == 0
    assert run(*db, "log", "head", "--key", demo / "log.key").exit_code == 0
    forged = tmp_path / "forged"
    assert run(*db, "log", "tiles", "--out", forged).exit_code == 0
    tile = forged / "tile" / "1" / "000.p" / "1"
    tile.write_bytes(bytes([tile.read_bytes()[0] ^ 1]) + tile.read_bytes()[1:])
    before = (tmp_path / "state").read_text()
    alarm = run(*witness, tmp_path / "state", "--from", tmp_path / "forged")
    assert alarm.exit_code == 1 and "ALARM" in alarm.output
    assert (tmp_path / "state").read_text() == before


def test_log_head_every_keeps_signing_as_the_log_grows_until_stopped(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from localgov.storage import SqlPermitLog
    from localgov.transparency import Ed25519Signer, SignedCheckpoint

    url = f"sqlite:///{tmp_path / 'log.db'}"
    log = SqlPermitLog.open(url, origin=ORIGIN)
    key = Ed25519Signer.generate(ORIGIN)
    (tmp_path / "log.key").write_text(key.skey + "\n")
    head = tmp_path / "head.txt"
    signer = subprocess.Popen(
        [sys.executable, "-m", "localgov.cli", "--db", url, "log", "head", "--key", str(tmp_path / "log.key")]
        + ["--every", "0.2", "--out", str(head)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def signed_size(wanted: int) -> int:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if head.exists():
                size = SignedCheckpoint.parse(head.read_text()).verify([key.verifier], origin=ORIGIN).checkpoint.size
                if size == wanted:
                    return size
            time.sleep(0.05)
        return -1

    try:
        assert signed_size(0) == 0
        log.append_many([b"entry 0\n", b"entry 1\n", b"entry 2\n"])
        assert signed_size(3) == 3  # a new head, without anyone asking
    finally:
        signer.send_signal(signal.SIGTERM)
        out, err = signer.communicate(timeout=20)
        log.close()
    assert signer.returncode == 0, err
    lines = out.splitlines()
    assert [line.split("\t")[1].split(",")[0] for line in lines] == [
        "signed the head of 0 entries",
        "signed the head of 3 entries",
    ]  # one line a new size: an unchanged log signs nothing new
    without_key = run("log", "head", "--every", "1")
    assert without_key.exit_code == 2 and "give the log's key with --key" in without_key.output
