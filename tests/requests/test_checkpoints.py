"""Signed audit checkpoints find what no check inside the database can: rollback, deletion, forks."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from localgov.requests import Engine
from localgov.requests.checkpointer import Checkpointer
from localgov.requests.checkpoints import (
    AuditCheckpoint,
    ChainHead,
    InvalidCheckpoint,
    check_store,
    compare_checkpoints,
    load_checkpoints,
    take_checkpoint,
)
from localgov.storage import SqlStore
from localgov.testing.pki import TestPki
from localgov.tracking import TrackingNumber
from tests.requests.support import cairo, cairo_time, submit_building_permit
from tests.requests.test_workflows import ROUTES, drive

ISSUER = "C-ZTN"
NOW = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)


def _store(engine: Engine) -> SqlStore:
    store = engine.store
    assert isinstance(store, SqlStore)
    return store


def _signed(engine: Engine, pki: TestPki, at: datetime.datetime = NOW) -> AuditCheckpoint:
    taken = take_checkpoint(engine.store, "zeitoun", ISSUER, at)
    return AuditCheckpoint.load(taken.sign(pki.signer), pki.trust_list())


def test_a_checkpoint_round_trips_and_the_database_extends_it(engine: Engine, localgov_pki: TestPki) -> None:
    first = submit_building_permit(engine, at=cairo_time(2026, 2, 1))
    checkpoint = _signed(engine, localgov_pki)
    assert [h.request_id for h in checkpoint.heads] == [first.id]
    assert checkpoint.size == 1 and len(checkpoint.root) == 32
    engine.act(first.id, "accept_documents", _docs_clerk(), at=cairo_time(2026, 3, 2))
    submit_building_permit(engine, at=cairo_time(2026, 3, 2))  # after the checkpoint: fine
    assert check_store(engine.store, [checkpoint]) == []


def _docs_clerk():  # type: ignore[no-untyped-def]
    from tests.requests.support import STAFF

    return next(member for member in STAFF if "document_checker" in member.roles)


def test_a_restored_older_backup_is_a_rollback(
    make_engine: Callable[..., Engine], store_url: str, localgov_pki: TestPki, tmp_path: Path
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("a file copy is how an SQLite database is backed up; the other checkpoint tests run on both")
    engine = make_engine()
    request = submit_building_permit(engine, at=cairo_time(2026, 2, 1))
    database = Path(store_url.removeprefix("sqlite:///"))
    _store(engine).close()
    shutil.copy(database, tmp_path / "backup.sqlite3")
    engine = make_engine()
    engine.act(request.id, "accept_documents", _docs_clerk(), at=cairo_time(2026, 2, 2))
    checkpoint = _signed(engine, localgov_pki)
    _store(engine).close()
    shutil.copy(tmp_path / "backup.sqlite3", database)
    restored = make_engine()
    assert restored.audit() == {}  # the backup agrees with itself
    (finding,) = check_store(restored.store, [checkpoint])
    assert finding.startswith(f"{request.id}: had 2 events at the checkpoint of")
    assert finding.endswith("(rolled back)")


def test_the_newest_request_deleted_with_its_events_and_counter_is_found(engine: Engine, localgov_pki: TestPki) -> None:
    kept = submit_building_permit(engine, at=cairo_time(2026, 2, 1))
    newest = submit_building_permit(engine, at=cairo_time(2026, 2, 1))
    checkpoint = _signed(engine, localgov_pki)
    with _store(engine).engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM lg_events WHERE request_id = :id"), {"id": newest.id})
        connection.execute(sa.text("DELETE FROM lg_requests WHERE id = :id"), {"id": newest.id})
        connection.execute(
            sa.text("UPDATE lg_sequences SET last = last - 1 WHERE scope = :scope"),
            {"scope": TrackingNumber.parse(newest.id).unit_code},
        )
    assert engine.audit() == {}  # nothing inside the database shows it
    assert check_store(engine.store, [checkpoint]) == [
        f"{newest.id}: in the checkpoint of {NOW.isoformat()} with 1 events, gone now (deleted)"
    ]
    assert kept.id not in " ".join(check_store(engine.store, [checkpoint]))


def test_a_history_rewritten_from_a_checkpointed_event_is_found(engine: Engine, localgov_pki: TestPki) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 2, 1))
    checkpoint = _signed(engine, localgov_pki)
    engine.act(request.id, "accept_documents", _docs_clerk(), at=cairo_time(2026, 2, 2))
    with _store(engine).engine.begin() as connection:  # as if rehashed by someone with the key
        connection.execute(
            sa.text("UPDATE lg_events SET hash = :h WHERE request_id = :id AND seq = 1"),
            {"h": "ab" * 32, "id": request.id},
        )
    (finding,) = check_store(engine.store, [checkpoint])
    assert finding.startswith(f"{request.id}: its event 1 is not the one the checkpoint")


def test_a_request_backdated_into_the_checkpointed_past_is_found(engine: Engine, localgov_pki: TestPki) -> None:
    checkpoint = _signed(engine, localgov_pki)
    late = submit_building_permit(engine, at=cairo_time(2026, 2, 1))  # submitted_at before NOW
    (finding,) = check_store(engine.store, [checkpoint])
    assert finding.startswith(f"{late.id}: submitted ") and finding.endswith("(inserted after the fact)")


def test_checkpoints_that_disagree_are_a_fork() -> None:
    a = ChainHead("R1", 3, "aa" * 32)
    earlier = AuditCheckpoint.of("zeitoun", ISSUER, NOW, [a, ChainHead("R2", 1, "bb" * 32)])
    forked = AuditCheckpoint.of("zeitoun", ISSUER, NOW + datetime.timedelta(hours=1), [ChainHead("R1", 3, "cc" * 32)])
    findings = compare_checkpoints([forked, earlier])
    assert any(f.startswith("R1: the checkpoints of") and f.endswith("(fork)") for f in findings)
    assert any(f.startswith("R2: in the checkpoint of") and f.endswith("(fork)") for f in findings)
    grown = AuditCheckpoint.of(
        "zeitoun",
        ISSUER,
        NOW + datetime.timedelta(hours=2),
        [ChainHead("R1", 4, "dd" * 32), ChainHead("R2", 1, "bb" * 32)],
    )
    assert compare_checkpoints([earlier, grown]) == []


def test_a_checkpoint_signed_by_another_unit_or_not_on_the_trust_list_is_refused(localgov_pki: TestPki) -> None:
    taken = AuditCheckpoint.of("zeitoun", ISSUER, NOW, [ChainHead("R1", 1, "aa" * 32)])
    other = localgov_pki.issue_signer("C-HLP")
    with pytest.raises(
        InvalidCheckpoint, match="signed by the key of unit 'C-HLP', but it is the checkpoint of 'C-ZTN'"
    ):
        AuditCheckpoint.load(taken.sign(other), localgov_pki.trust_list(localgov_pki.signer, other))
    with pytest.raises(InvalidCheckpoint, match="is not on trust list"):
        AuditCheckpoint.load(taken.sign(other), localgov_pki.trust_list())
    data = bytearray(taken.sign(localgov_pki.signer))
    data[-5] ^= 1
    with pytest.raises(InvalidCheckpoint, match="cp.cose"):
        AuditCheckpoint.load(bytes(data), localgov_pki.trust_list(), where="cp.cose")
    with pytest.raises(InvalidCheckpoint, match="not a localgov-audit-checkpoint"):
        from localgov.tokens.unit_statement import sign_statement

        AuditCheckpoint.load(sign_statement("something-else", {2: "x"}, localgov_pki.signer), localgov_pki.trust_list())


def test_the_checkpointer_writes_at_each_permit_issued_and_at_its_interval(
    make_engine: Callable[..., Engine], store_url: str, localgov_pki: TestPki
) -> None:
    written: list[bytes] = []
    clock = [NOW]
    store = SqlStore.open(store_url)
    checkpointer = Checkpointer(
        store,
        unit="zeitoun",
        issuer=ISSUER,
        signer=localgov_pki.signer,
        write=lambda checkpoint, data: written.append(data),
        interval=datetime.timedelta(hours=1),
        clock=lambda: clock[0],
    )
    engine = cairo().engine(store, staff=_staff(), listeners=[checkpointer])
    request = drive(
        engine, submit_building_permit(engine, at=cairo_time(2026, 2, 1)), ROUTES["building_permit", "issued"]
    )
    assert request.issued is not None
    # The first event checkpoints (none made yet); the rest fall inside the hour, but the issue does.
    assert len(written) == 2
    # The first holds every head; the second the changes since, on it.
    checkpoints, findings = load_checkpoints(
        [(str(i), data) for i, data in enumerate(written)], localgov_pki.trust_list()
    )
    assert findings == [] and [c.previous is None for c in checkpoints] == [True, False]
    assert checkpoints[-1].heads[0].event_count == len(engine.history(request.id))
    clock[0] += datetime.timedelta(minutes=30)
    assert checkpointer.tick() is None
    clock[0] += datetime.timedelta(minutes=31)
    assert checkpointer.tick() is not None and len(written) == 3
    assert checkpointer.last is not None and checkpointer.last.previous == checkpoints[-1].digest
    # Once a day has passed since the last full one, the next holds every head again.
    clock[0] += datetime.timedelta(days=1)
    assert checkpointer.checkpoint().previous is None
    assert load_checkpoints([("last", written[-1])], localgov_pki.trust_list())[1] == []
    store.close()


def _staff():  # type: ignore[no-untyped-def]
    from tests.requests.support import STAFF

    return STAFF
