"""Incremental checkpoints: a delta re-reads only what changed, and still commits to every head.

Every attack of the threat table is found through a chain of deltas as through a checkpoint that
holds every head; a delta whose predecessor is missing, replaced or does not add up is a finding.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from localgov.requests import Engine
from localgov.requests.checkpointer import Checkpointer
from localgov.requests.checkpoints import (
    AuditCheckpoint,
    InvalidCheckpoint,
    check_store,
    load_checkpoints,
    take_checkpoint,
)
from localgov.storage import SqlStore
from localgov.testing.pki import TestPki
from tests.requests.support import STAFF, submit_building_permit
from tests.requests.support import cairo_time as at

ISSUER = "C-ZTN"
NOW = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)


class Files:
    """A checkpointer's written files, in order, and a clock it reads."""

    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.now = NOW

    def tick(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)

    def named(self, *indexes: int) -> list[tuple[str, bytes]]:
        chosen = indexes or tuple(range(len(self.data)))
        return [(f"cp{i}", self.data[i]) for i in chosen]


@pytest.fixture
def files() -> Files:
    return Files()


@pytest.fixture
def checkpointer(engine: Engine, localgov_pki: TestPki, files: Files) -> Iterator[Checkpointer]:
    # No interval: each test says when it checkpoints.
    yield Checkpointer(
        engine.store,
        unit="zeitoun",
        issuer=ISSUER,
        signer=localgov_pki.signer,
        write=lambda checkpoint, data: files.data.append(data),
        interval=None,
        clock=lambda: files.now,
    )


def _accept(engine: Engine, request_id: str, *, at: datetime.datetime) -> None:
    assignee = engine.get(request_id).assigned_to
    engine.act(request_id, "accept_documents", next(member for member in STAFF if member.id == assignee), at=at)


def _store(engine: Engine) -> SqlStore:
    assert isinstance(engine.store, SqlStore)
    return engine.store


def test_a_delta_holds_the_changed_heads_and_commits_to_the_same_heads_as_a_full_read(
    engine: Engine, checkpointer: Checkpointer, files: Files, localgov_pki: TestPki
) -> None:
    quiet = submit_building_permit(engine, at=at(2026, 2, 1))
    moving = submit_building_permit(engine, at=at(2026, 2, 1))
    first = checkpointer.checkpoint()
    assert first.previous is None and first.size == 2
    _accept(engine, moving.id, at=at(2026, 2, 2))
    newer = submit_building_permit(engine, at=at(2026, 3, 2))
    files.tick(minutes=5)
    second = checkpointer.checkpoint()
    assert second.previous == first.digest == hashlib.sha256(files.data[0]).digest()
    assert second.changed is not None and sorted(line.split()[0] for line in second.changed) == sorted(
        [moving.id, newer.id]
    )
    assert quiet.id not in files.data[1].decode("latin-1")  # only the changes are in the file
    full = take_checkpoint(engine.store, "zeitoun", ISSUER, files.now)
    assert sorted(second.lines) == sorted(full.lines) and second.size == 3
    files.tick(minutes=5)
    third = checkpointer.checkpoint()  # nothing changed: an empty delta, still a statement of the moment
    assert third.changed == () and third.root == second.root
    loaded, findings = load_checkpoints(files.named(), localgov_pki.trust_list())
    assert findings == []
    assert [c.lines for c in loaded] == [first.lines, second.lines, third.lines]
    assert [c.root for c in loaded] == [first.root, second.root, third.root]
    assert check_store(engine.store, loaded) == []


def test_a_change_committed_after_a_checkpoint_began_is_in_the_next(
    engine: Engine, checkpointer: Checkpointer, files: Files, localgov_pki: TestPki
) -> None:
    """A transaction that appended an event but had not committed when a checkpoint read its mark:
    on PostgreSQL its id is below later ones, and the mark must still not pass over it."""
    request = submit_building_permit(engine, at=at(2026, 2, 1))
    checkpointer.checkpoint()
    (event,) = engine.store.events(request.id)
    forged_hash = "ee" * 32
    with _store(engine).engine.connect() as writer:
        writer.execute(
            sa.text(
                "INSERT INTO lg_events (request_id, seq, at, actor, role, action, from_state, to_state, data, "
                "prev_hash, hash) VALUES (:id, 2, :at, 'x', 'x', 'note', 'submitted', 'submitted', '{}', :prev, :hash)"
            ),
            {"id": request.id, "at": NOW.isoformat(), "prev": event.hash, "hash": forged_hash},
        )
        writer.execute(
            sa.text("UPDATE lg_requests SET event_count = 2, head_hash = :hash WHERE id = :id"),
            {"id": request.id, "hash": forged_hash},
        )
        files.tick(minutes=1)
        during = checkpointer.checkpoint()  # the write is not committed yet: it sees the old head
        assert during.changed == ()
        writer.commit()
    files.tick(minutes=1)
    after = checkpointer.checkpoint()
    assert after.changed == (f"{request.id} 2 {forged_hash}\n",)
    assert load_checkpoints(files.named(), localgov_pki.trust_list())[1] == []


def test_every_attack_is_found_through_a_chain_of_deltas(
    engine: Engine, checkpointer: Checkpointer, files: Files, localgov_pki: TestPki
) -> None:
    deleted = submit_building_permit(engine, at=at(2026, 2, 1))
    rolled_back = submit_building_permit(engine, at=at(2026, 2, 1))
    rewritten = submit_building_permit(engine, at=at(2026, 2, 1))
    checkpointer.checkpoint()
    for request in (rolled_back, rewritten):
        _accept(engine, request.id, at=at(2026, 2, 2))
    files.tick(hours=1)
    checkpointer.checkpoint()  # a delta: the heads of rolled_back and rewritten at 2 events
    files.tick(hours=1)
    checkpointer.checkpoint()  # and another, empty, on it
    database = _store(engine).engine
    with database.begin() as connection:
        connection.execute(sa.text("DELETE FROM lg_events WHERE request_id = :id"), {"id": deleted.id})
        connection.execute(sa.text("DELETE FROM lg_requests WHERE id = :id"), {"id": deleted.id})
        (first,) = connection.execute(
            sa.text("SELECT hash FROM lg_events WHERE request_id = :id AND seq = 1"), {"id": rolled_back.id}
        ).one()
        connection.execute(sa.text("DELETE FROM lg_events WHERE request_id = :id AND seq = 2"), {"id": rolled_back.id})
        connection.execute(
            sa.text("UPDATE lg_requests SET event_count = 1, head_hash = :h WHERE id = :id"),
            {"h": first, "id": rolled_back.id},
        )
        connection.execute(
            sa.text("UPDATE lg_events SET hash = :h WHERE request_id = :id AND seq = 2"),
            {"h": "ab" * 32, "id": rewritten.id},
        )
        connection.execute(
            sa.text("UPDATE lg_requests SET head_hash = :h WHERE id = :id"), {"h": "ab" * 32, "id": rewritten.id}
        )
    inserted = submit_building_permit(engine, at=at(2026, 2, 1))  # dated before every checkpoint
    loaded, findings = load_checkpoints(files.named(), localgov_pki.trust_list())
    assert findings == [] and [c.previous is None for c in loaded] == [True, False, False]
    when = loaded[-1].made_at.isoformat()
    found = check_store(engine.store, loaded[-1:])  # the newest delta alone names all four
    assert sorted(found) == sorted(
        [
            f"{deleted.id}: in the checkpoint of {when} with 1 events, gone now (deleted)",
            f"{rolled_back.id}: had 2 events at the checkpoint of {when}, has 1 now (rolled back)",
            (
                f"{rewritten.id}: its event 2 is not the one the checkpoint of {when} holds "
                "(the history was rewritten from there)"
            ),
            next(f for f in found if f.startswith(f"{inserted.id}: submitted ")),
        ]
    )
    assert next(f for f in found if f.startswith(inserted.id)).endswith(
        f"{when}, but not in it (inserted after the fact)"
    )


def test_a_fork_between_two_chains_is_found(
    make_engine: Callable[..., Engine], localgov_pki: TestPki, files: Files
) -> None:
    """Two checkpointers of one unit (two workers): their deltas agree, until one is shown a
    history that the other's earlier checkpoint contradicts."""
    engine = make_engine()
    request = submit_building_permit(engine, at=at(2026, 2, 1))
    other = Files()
    makers = [
        Checkpointer(
            engine.store,
            unit="zeitoun",
            issuer=ISSUER,
            signer=localgov_pki.signer,
            write=lambda checkpoint, data, out=out: out.data.append(data),
            interval=None,
            clock=lambda: files.now,
        )
        for out in (files, other)
    ]
    makers[0].checkpoint()
    makers[1].checkpoint()
    _accept(engine, request.id, at=at(2026, 2, 2))
    files.tick(hours=1)
    makers[0].checkpoint()
    assert load_checkpoints(files.named() + other.named(), localgov_pki.trust_list())[1] == []
    from localgov.requests.checkpoints import compare_checkpoints

    both, _ = load_checkpoints(files.named() + [("other0", other.data[0])], localgov_pki.trust_list())
    assert compare_checkpoints(both) == []
    # The second worker is shown the history rewound and checkpoints it: it cannot follow the first's.
    with _store(engine).engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM lg_events WHERE request_id = :id AND seq = 2"), {"id": request.id})
        connection.execute(
            sa.text("UPDATE lg_requests SET event_count = 1, head_hash = :h WHERE id = :id"),
            {"h": engine.store.events(request.id)[0].hash, "id": request.id},
        )
        connection.execute(
            sa.text(
                "INSERT INTO lg_events (request_id, seq, at, actor, role, action, from_state, to_state, data, "
                "prev_hash, hash) VALUES (:id, 2, :at, 'x', 'x', 'note', 'submitted', 'submitted', '{}', 'p', :h)"
            ),
            {"id": request.id, "at": NOW.isoformat(), "h": "cd" * 32},
        )
        connection.execute(
            sa.text("UPDATE lg_requests SET event_count = 2, head_hash = :h WHERE id = :id"),
            {"h": "cd" * 32, "id": request.id},
        )
    files.tick(hours=1)
    makers[1].checkpoint()
    loaded, findings = load_checkpoints(files.named() + other.named(), localgov_pki.trust_list())
    assert findings == []
    forks = compare_checkpoints(loaded)
    assert forks
    assert all(f.startswith(f"{request.id}: the checkpoints of") and f.endswith("(fork)") for f in forks)


def test_a_missing_or_replaced_predecessor_is_a_finding_not_a_traceback(
    engine: Engine, checkpointer: Checkpointer, files: Files, localgov_pki: TestPki
) -> None:
    request = submit_building_permit(engine, at=at(2026, 2, 1))
    checkpointer.checkpoint()
    _accept(engine, request.id, at=at(2026, 2, 2))
    files.tick(hours=1)
    checkpointer.checkpoint()
    submit_building_permit(engine, at=at(2026, 3, 2))
    files.tick(hours=1)
    checkpointer.checkpoint()
    trust = localgov_pki.trust_list()
    loaded, findings = load_checkpoints(files.named(0, 2), trust)  # the first delta left out
    assert [c.digest for c in loaded] == [hashlib.sha256(files.data[0]).digest()]
    (missing,) = findings
    digest = hashlib.sha256(files.data[0]).hexdigest()
    assert missing.startswith("cp2: the checkpoint of ")
    assert missing.endswith(
        f"is of the changes since checkpoint {hashlib.sha256(files.data[1]).hexdigest()}, "
        "which is not among those given: it cannot be checked"
    )
    loaded, findings = load_checkpoints(files.named(1, 2), trust)  # the full one left out
    assert loaded == [] and findings[0].startswith("cp1: ") and digest in findings[0]
    assert findings[1] == "cp2: it builds on a checkpoint that cannot be checked"
    # Another genuine checkpoint in the predecessor's place: its SHA-256 is not the one named.
    files.tick(hours=1)
    replacement = take_checkpoint(engine.store, "zeitoun", ISSUER, files.now).sign(localgov_pki.signer)
    loaded, findings = load_checkpoints([("cp0", replacement), *files.named(1)], trust)
    assert len(loaded) == 1 and len(findings) == 1 and findings[0].startswith("cp1: ")
    # A predecessor's bytes altered: the file itself does not verify, and says which it is.
    altered = bytearray(files.data[0])
    altered[-5] ^= 1
    with pytest.raises(InvalidCheckpoint, match="^cp0: "):
        load_checkpoints([("cp0", bytes(altered)), *files.named(1, 2)], trust)
    with pytest.raises(InvalidCheckpoint, match="cp1: a checkpoint of the changes since"):
        AuditCheckpoint.load(files.data[1], trust, where="cp1")


def test_a_delta_whose_heads_do_not_make_its_root_or_of_another_unit_is_a_finding(
    engine: Engine, checkpointer: Checkpointer, files: Files, localgov_pki: TestPki
) -> None:
    submit_building_permit(engine, at=at(2026, 2, 1))
    full = checkpointer.checkpoint()
    assert full.digest is not None
    trust = localgov_pki.trust_list()
    line = "CZTN-0000000-0 1 " + "aa" * 32 + "\n"
    wrong_root = AuditCheckpoint(
        "zeitoun", ISSUER, NOW, (*full.lines, line), full.root, previous=full.digest, changed=(line,)
    )
    other_unit = AuditCheckpoint("helwan", ISSUER, NOW, full.lines, full.root, previous=full.digest, changed=())
    earlier = AuditCheckpoint(
        "zeitoun", ISSUER, NOW - datetime.timedelta(days=1), full.lines, full.root, previous=full.digest, changed=()
    )
    for name, forged, expected in (
        ("wrong", wrong_root, "its chain heads on its predecessor's do not make the size and root it signs"),
        ("helwan", other_unit, "which it cannot follow"),
        ("earlier", earlier, "which it cannot follow"),
    ):
        loaded, findings = load_checkpoints([*files.named(0), (name, forged.sign(localgov_pki.signer))], trust)
        assert len(loaded) == 1 and len(findings) == 1
        assert findings[0].startswith(f"{name}: ") and findings[0].endswith(expected)


def test_a_checkpoint_that_could_not_be_written_changes_nothing(
    engine: Engine, localgov_pki: TestPki, files: Files
) -> None:
    failing = [False]

    def write(checkpoint: AuditCheckpoint, data: bytes) -> None:
        if failing[0]:
            raise OSError("the ministry's share is unreachable")
        files.data.append(data)

    checkpointer = Checkpointer(
        engine.store,
        unit="zeitoun",
        issuer=ISSUER,
        signer=localgov_pki.signer,
        write=write,
        interval=None,
        clock=lambda: files.now,
    )
    request = submit_building_permit(engine, at=at(2026, 2, 1))
    first = checkpointer.checkpoint()
    _accept(engine, request.id, at=at(2026, 3, 2))
    submit_building_permit(engine, at=at(2026, 3, 2))
    failing[0] = True
    files.tick(hours=1)
    with pytest.raises(OSError, match="unreachable"):
        checkpointer.checkpoint()
    assert checkpointer.last is first
    failing[0] = False
    files.tick(hours=1)
    second = checkpointer.checkpoint()  # on the first, with the changes the failed one had read
    assert second.previous == first.digest and second.changed is not None and len(second.changed) == 2
    loaded, findings = load_checkpoints(files.named(), localgov_pki.trust_list())
    assert findings == [] and sorted(loaded[-1].lines) == sorted(
        take_checkpoint(engine.store, "zeitoun", ISSUER, files.now).lines
    )


def test_a_delta_reads_the_events_since_its_mark_not_every_request_of_the_unit(engine: Engine) -> None:
    from localgov.storage.chain_heads import _CHANGED_SQLITE

    database = _store(engine).engine
    if database.dialect.name != "sqlite":
        pytest.skip("the plan is read from SQLite's EXPLAIN QUERY PLAN")
    with database.connect() as connection:
        plan = [
            row[-1]
            for row in connection.execute(
                sa.text("EXPLAIN QUERY PLAN " + _CHANGED_SQLITE.text), {"since": 0, "unit": "zeitoun"}
            )
        ]
    assert plan == [
        "SEARCH e USING INTEGER PRIMARY KEY (rowid>?)",
        "SEARCH r USING INDEX sqlite_autoindex_lg_requests_1 (id=?)",
    ]


def test_after_the_clock_was_set_back_the_next_checkpoint_holds_every_head(
    engine: Engine, checkpointer: Checkpointer, files: Files, localgov_pki: TestPki
) -> None:
    submit_building_permit(engine, at=at(2026, 2, 1))
    checkpointer.checkpoint()
    files.tick(hours=1)
    assert checkpointer.checkpoint().previous is not None
    files.tick(hours=-2)
    assert checkpointer.checkpoint().previous is None  # a delta dated before its predecessor would not verify
    assert checkpointer.checkpoint(full=True).previous is None
    files.tick(minutes=1)
    assert checkpointer.checkpoint().previous is not None
    assert load_checkpoints(files.named(), localgov_pki.trust_list())[1] == []


def test_a_head_line_out_of_form_makes_the_file_unusable_and_names_it(localgov_pki: TestPki) -> None:
    good = "CZTN-2600001-3 1 " + "aa" * 32 + "\n"
    for wrong in ("CZTN-2600001-4 one " + "bb" * 32 + "\n", "CZTN-2600001-4 1 " + "BB" * 32 + "\n", "x y\n"):
        data = AuditCheckpoint("zeitoun", ISSUER, NOW, (good, wrong)).sign(localgov_pki.signer)
        with pytest.raises(InvalidCheckpoint, match=r"^bad\.checkpoint: a chain head is 'REQUEST COUNT HASH', not"):
            load_checkpoints([("bad.checkpoint", data)], localgov_pki.trust_list())
