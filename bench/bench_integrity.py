"""Integrity's costs (issue #18), each beside the raw cost of the same work in the same run.

(a) appending a permit-log leaf, against the database's own insert-and-commit rate;
(b) issuing a permit with its log entry, against issuing it without: the engine's issue step and
    its signed token alone, and the whole issue (the step, the token and the signed PDF, made by
    ``DocumentFactory.issue_permit``, which appends the entry when given the log);
(c) inclusion and consistency proofs in a log of 10 million leaves (O(log n) reads);
(d) an audit checkpoint over 1 million requests (SQLite and PostgreSQL): one that reads every head,
    against the raw SELECT of the columns it reads, a checkpointer's incremental one after 1,000
    requests changed, and the database checked against the chain of them;
(e) ``audit verify`` with every record's seal checked and its events replayed, against the raw
    SELECT of the same rows.

    python bench/bench_integrity.py            # the figures in docs/benchmarks.md
    python bench/bench_integrity.py --quick    # 1 million leaves, 100,000 requests
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

sys.path.insert(0, str(Path(__file__).parent))

from bench_engine import PATH, STAFF, advance, machine, submit
from raw_write_rates import measure_commit_rate

from localgov.app import Localgov
from localgov.documents import DocumentFactory, DocumentSettings, PdfSigner
from localgov.permits import log_entry, permit_claims
from localgov.pki import create_root, issue_governorate_ca, issue_unit_signer
from localgov.requests import Engine, Request
from localgov.requests.checkpointer import Checkpointer
from localgov.requests.checkpoints import AuditCheckpoint, check_store, load_checkpoints, take_checkpoint
from localgov.storage import SqlStore, open_database
from localgov.storage.permit_log import SqlPermitLog
from localgov.storage.schema import events as events_table
from localgov.storage.schema import requests as requests_table
from localgov.testing.pki import build_test_pki
from localgov.testing.postgresql import TemporaryPostgres
from localgov.tokens import issue as issue_token
from localgov.transparency import leaf_hash, verify_consistency, verify_inclusion

ORIGIN = "log.bench.localgov/permits"
CACHE = Path(__file__).parent / ".cache"


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="localgov-bench-integrity-") as directory:
        yield f"sqlite:///{Path(directory) / 'localgov.sqlite3'}"


def databases(postgresql: bool) -> Iterator[tuple[str, str, bool]]:
    """(label, url, durable) of each database measured, set up in turn."""
    for durable, setting in ((True, "FULL"), (False, "NORMAL")):
        with sqlite_url() as url:
            yield f"SQLite file, WAL, synchronous={setting}", url, durable
    if postgresql:
        with TemporaryPostgres(fsync=True) as server:
            yield "PostgreSQL, fsync=on", server.url.render_as_string(hide_password=False), True


def rate(count: int, work: Callable[[int], object], rounds: int, first_round: int = 0) -> float:
    """Median per-second rate of ``rounds`` runs of ``work(i)`` for ``count`` values of i."""
    rates = []
    for round_number in range(first_round, first_round + rounds):
        started = time.perf_counter()
        for i in range(count):
            work(round_number * count + i)
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


# ------------------------------------------------------------------------- (a) appending a leaf


def bench_append(postgresql: bool, count: int, rounds: int) -> None:
    print(
        f"(a) permit-log appends per second, one leaf per transaction, {count:,} per round, "
        f"{rounds} rounds of each side taken in turn"
    )
    for label, url, durable in databases(postgresql):
        raw = open_database(url, durable=durable)
        log = SqlPermitLog.open(url, origin=ORIGIN, durable=durable)
        for i in range(50):
            log.append(f"warm-up {i}".encode())
        raw_rates, log_rates = [], []
        for round_number in range(rounds):
            raw_rates.append(measure_commit_rate(raw, transactions=count, rounds=1, warmup=50).per_second)
            log_rates.append(
                rate(count, lambda i, log=log: log.append(b"localgov/permit/v1\nentry %d\n" % i), 1, round_number)
            )
        assert log.check() == []
        log.close()
        raw.dispose()
        ratios = [mine / theirs for mine, theirs in zip(log_rates, raw_rates, strict=True)]
        print(
            f"    {label:36} {statistics.median(log_rates):8,.0f}/s   raw insert+commit "
            f"{statistics.median(raw_rates):8,.0f}/s   ratio {statistics.median(ratios):.2f} "
            f"(rounds {min(ratios):.2f}-{max(ratios):.2f})"
        )


# ---------------------------------------------------------------------- (b) issuing with a leaf


def bench_issue(app: Localgov, count: int, rounds: int) -> None:
    print(f"(b) permits issued per second (the engine's issue step and the signed token), {count:,} per round")
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    root = create_root("bench root", now=now)
    signer = issue_unit_signer(
        issue_governorate_ca(root, "C", "bench CA", now=now), "C-ZTN", ["building_permit"], now=now
    )
    cairo = app.organisation["C"]
    service = app.catalogue.service("building_permit")
    issuer = next(member for member in STAFF if "issuer" in member.roles)
    for durable, setting in ((True, "FULL"), (False, "NORMAL")):
        with sqlite_url() as url:
            engine = app.engine(SqlStore.open(url, durable=durable), staff=STAFF)
            log = SqlPermitLog.open(url, origin=ORIGIN, durable=durable)
            approved = [advance(engine, submit(engine), len(PATH) - 1) for _ in range(count * rounds * 2)]
            pending = iter(approved)

            def issue(
                _: int,
                *,
                logged: bool = False,
                engine: Engine = engine,
                log: SqlPermitLog = log,
                pending: Iterator[Request] = pending,
            ) -> None:
                request = engine.act(next(pending).id, "issue", issuer)
                claims = permit_claims(request, service, cairo, issued_at=datetime.datetime.now(datetime.UTC))
                token = issue_token(claims, signer)
                if logged:
                    log.append(log_entry(token, claims).encode())

            without = rate(count, lambda i: issue(i), rounds)
            logged = rate(count, lambda i: issue(i, logged=True), rounds)
            print(
                f"    SQLite file, WAL, synchronous={setting:6} {logged:8,.0f}/s with its log entry, "
                f"{without:8,.0f}/s without   ratio {logged / without:.2f}"
            )
            log.close()
            engine.store.close()  # type: ignore[attr-defined]


def bench_issue_documents(app: Localgov, count: int, rounds: int) -> None:
    print(f"(b) whole permits issued per second (issue step, token, signed PDF), {count:,} per round")
    pki = build_test_pki(tempfile.mkdtemp(prefix="bench-pki-"))
    signer = PdfSigner(pki.signer, pki.chain[1:])
    issuer = next(member for member in STAFF if "issuer" in member.roles)
    with sqlite_url() as url:
        engine = app.engine(SqlStore.open(url), staff=STAFF)
        log = SqlPermitLog.open(url, origin=ORIGIN)
        plain = DocumentFactory(app, signer=signer, settings=DocumentSettings(qr_mask=0))
        publishing = DocumentFactory(app, signer=signer, settings=DocumentSettings(qr_mask=0), permit_log=log)
        pending = iter([advance(engine, submit(engine), len(PATH) - 1) for _ in range(count * rounds * 2 + 2)])
        for factory in (plain, publishing):  # warm: fonts, templates, the log's connection
            factory.issue_permit(engine.act(next(pending).id, "issue", issuer))

        def issue(_: int, factory: DocumentFactory) -> None:
            factory.issue_permit(engine.act(next(pending).id, "issue", issuer))

        without = rate(count, lambda i: issue(i, plain), rounds)
        logged = rate(count, lambda i: issue(i, publishing), rounds)
        print(
            f"    SQLite file, WAL, synchronous=FULL   {logged:8,.1f}/s with its log entry, "
            f"{without:8,.1f}/s without   ratio {logged / without:.2f}"
        )
        log.close()
        engine.store.close()  # type: ignore[attr-defined]


# ------------------------------------------------------------------- (c) proofs at 10 million


def built_log(leaves: int) -> SqlPermitLog:
    """A log of ``leaves`` entries in bench/.cache, built once through append_many (kept for reruns)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"permit-log-{leaves}.sqlite3"
    log = SqlPermitLog.open(f"sqlite:///{path}", origin=ORIGIN, durable=False)
    if log.size < leaves:
        started = time.perf_counter()
        batch = 100_000
        while log.size < leaves:
            first = log.size
            log.append_many([b"entry %d" % i for i in range(first, min(first + batch, leaves))])
        print(f"    (built a log of {leaves:,} leaves in {time.perf_counter() - started:.0f} s, cached in {path})")
    return log


def bench_proofs(leaves: int) -> None:
    print(f"(c) proofs in a log of {leaves:,} leaves (SQLite), median of 200")
    log = built_log(leaves)
    size = log.size
    root = log.root(size)
    old = size // 3 + 12345
    old_root = log.root(old)
    inclusion, consistency = [], []
    for i in range(200):
        index = (i * 7_919_999) % size
        started = time.perf_counter()
        proof = log.inclusion_proof(index, size)
        inclusion.append(time.perf_counter() - started)
        verify_inclusion(leaf_hash(b"entry %d" % index), index, size, proof, root)
        started = time.perf_counter()
        hashes = log.consistency_proof(old - i, size)
        consistency.append(time.perf_counter() - started)
        if i == 0:
            verify_consistency(old, size, hashes, old_root, root)
    print(f"    inclusion proof   {statistics.median(inclusion) * 1e3:.3f} ms ({len(proof)} hashes)")
    print(f"    consistency proof {statistics.median(consistency) * 1e3:.3f} ms ({len(hashes)} hashes)")
    log.close()


# ------------------------------------------------------------- (d) a checkpoint of 1 million


def bench_checkpoint(postgresql: bool, count: int, changes: int = 1000, rounds: int = 5) -> None:
    print(f"(d) an audit checkpoint over {count:,} requests")
    for label, url, _ in databases(postgresql):
        if "NORMAL" not in label:  # a checkpoint reads; SQLite's synchronous setting is the writes' business
            print(f"    {label.split(', synchronous')[0]}")
            checkpoint_rates(url, count, changes, rounds)


def checkpoint_rates(url: str, count: int, changes: int, rounds: int) -> None:
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="localgov-bench-checkpoints-") as out:
        pki = build_test_pki(Path(out) / "pki")
        signer = pki.signer
        store = SqlStore.open(url, durable=False)
        stamp = now.isoformat()
        with store.engine.begin() as connection:
            for start in range(0, count, 50_000):
                connection.execute(
                    requests_table.insert(), [_request_row(i, stamp) for i in range(start, min(start + 50_000, count))]
                )
        columns = (
            requests_table.c.id,
            requests_table.c.event_count,
            requests_table.c.head_hash,
            requests_table.c.submitted_at,
        )
        started = time.perf_counter()
        with store.engine.connect() as connection:
            rows = connection.execute(sa.select(*columns).where(requests_table.c.unit == "zeitoun")).all()
        raw = time.perf_counter() - started
        assert len(rows) == count
        started = time.perf_counter()
        taken = take_checkpoint(store, "zeitoun", "C-ZTN", datetime.datetime.now(datetime.UTC))
        data = taken.sign(signer)
        elapsed = time.perf_counter() - started
        print(
            f"      full read    {elapsed:.2f} s (read, tree, sign; {len(data) / 1e6:.0f} MB file)   "
            f"raw SELECT {raw:.2f} s   ratio {raw / elapsed:.2f}"
        )
        sizes: list[int] = []

        def write(checkpoint: AuditCheckpoint, data: bytes) -> None:
            (Path(out) / f"{len(sizes)}.checkpoint").write_bytes(data)
            sizes.append(len(data))

        clock = [datetime.datetime.now(datetime.UTC)]
        checkpointer = Checkpointer(
            store, unit="zeitoun", issuer="C-ZTN", signer=signer, write=write, interval=None, clock=lambda: clock[0]
        )
        started = time.perf_counter()
        checkpointer.checkpoint()
        first = time.perf_counter() - started
        print(f"      Checkpointer, first (full) {first:.2f} s (read, tree and index of places, sign, write the file)")
        deltas = []
        for round_number in range(rounds):
            # The new requests are submitted after the last checkpoint, before the next.
            submitted = (clock[0] + datetime.timedelta(seconds=30)).isoformat()
            _change(store, count, changes, round_number, stamp, submitted)
            clock[0] += datetime.timedelta(minutes=1)
            started = time.perf_counter()
            delta = checkpointer.checkpoint()
            deltas.append(time.perf_counter() - started)
            assert delta.changed is not None and len(delta.changed) == changes, len(delta.changed or ())
        assert sorted(delta.lines) == sorted(store.chain_head_lines("zeitoun"))
        files = sorted(Path(out).glob("*.checkpoint"), key=lambda path: int(path.stem))
        started = time.perf_counter()
        chain, findings = load_checkpoints([(path.name, path.read_bytes()) for path in files], pki.trust_list())
        loaded = time.perf_counter() - started
        found = check_store(store, chain)
        compared = time.perf_counter() - started - loaded
        assert findings == [] and found == [], (findings, found[:3])
        print(
            f"      Checkpointer, after {changes:,} requests changed or added (a tenth new): "
            f"median {statistics.median(deltas) * 1e3:.0f} ms, range {min(deltas) * 1e3:.0f}-{max(deltas) * 1e3:.0f} ms "
            f"of {rounds} (read the changed heads, rehash their bundles, sign, write; {sizes[-1] / 1e3:.0f} kB file)"
        )
        print(
            f"      audit verify --checkpoint of the chain (the full one and {rounds} deltas): read and applied "
            f"{loaded:.2f} s, the database checked against it {compared:.2f} s"
        )
        store.close()


def _request_row(i: int, stamp: str, event_count: int = 3) -> dict[str, object]:
    return {
        "id": f"CZTN-{i:08d}",
        "governorate": "C",
        "unit": "zeitoun",
        "service": "building_permit",
        "state": "submitted",
        "version": 3,
        "closed": False,
        "submitted_at": stamp,
        "updated_at": stamp,
        "head_hash": f"{i:064x}",
        "event_count": event_count,
        "data": {},
    }


def _change(store: SqlStore, count: int, changes: int, round_number: int, stamp: str, submitted: str) -> None:
    """``changes`` requests changed as a decision changes them (an event appended, the row's head
    moved), a tenth of them new, in one transaction."""
    added = changes // 10
    new_ids = range(count + round_number * added, count + (round_number + 1) * added)
    moved = [(i * 7919 + round_number * 104_729) % count for i in range(changes - added)]
    seq = 4 + round_number
    # The rows were made with 3 events and no event rows: each request moved now gets the event its
    # checkpointed head names (once), so a check against the chain finds nothing.
    first_events = (sqlite_insert if store.engine.dialect.name == "sqlite" else postgresql_insert)(events_table)
    with store.engine.begin() as connection:
        connection.execute(
            first_events.on_conflict_do_nothing(),
            [_event_row(f"CZTN-{i:08d}", 3, f"{i:064x}", stamp) for i in moved],
        )
        connection.execute(requests_table.insert(), [_request_row(i, submitted, event_count=seq) for i in new_ids])
        for i in moved:
            connection.execute(
                requests_table.update()
                .where(requests_table.c.id == f"CZTN-{i:08d}")
                .values(event_count=seq, head_hash=f"{i + seq:064x}")
            )
        connection.execute(
            events_table.insert(),
            [_event_row(f"CZTN-{i:08d}", seq, f"{i + seq:064x}", stamp) for i in moved]
            + [_event_row(f"CZTN-{i:08d}", seq, f"{i:064x}", stamp) for i in new_ids],
        )


def _event_row(request_id: str, seq: int, hashed: str, stamp: str) -> dict[str, object]:
    return {
        "request_id": request_id,
        "seq": seq,
        "at": stamp,
        "actor": "bench",
        "role": "bench",
        "action": "note",
        "from_state": "submitted",
        "to_state": "submitted",
        "data": {},
        "prev_hash": "00" * 32,
        "hash": hashed,
    }


# ---------------------------------------------------------------- (e) audit verify, replayed


def bench_audit(app: Localgov, count: int) -> None:
    print(f"(e) audit verify of {count:,} requests (seal checked, events replayed, chain recomputed; SQLite)")
    with sqlite_url() as url:
        engine = app.engine(SqlStore.open(url, durable=False), staff=STAFF)
        for i in range(count):
            advance(engine, submit(engine), i % len(PATH))
        store = engine.store
        started = time.perf_counter()
        connection = store.engine.raw_connection()  # type: ignore[attr-defined]
        cursor = connection.cursor()
        cursor.execute("SELECT * FROM lg_requests ORDER BY id")
        cursor.fetchall()
        cursor.execute("SELECT * FROM lg_events ORDER BY request_id, seq")
        cursor.fetchall()
        connection.close()
        raw = time.perf_counter() - started
        started = time.perf_counter()
        findings = engine.audit()
        elapsed = time.perf_counter() - started
        assert findings == {}, findings
        print(
            f"    {count / elapsed:8,.0f} requests/s audited   raw SELECT of their rows {count / raw:8,.0f}/s   "
            f"ratio {raw / elapsed:.2f}   (1 million: about {1e6 / (count / elapsed) / 60:.0f} min)"
        )
        store.close()  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1 million leaves, 100,000 requests, shorter rounds")
    parser.add_argument("--leaves", type=int, help="leaves of the log for (c) (default 10 million)")
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--only", default="abcde", help="the parts to run, e.g. 'ab' (default: all)")
    options = parser.parse_args(argv)
    app = Localgov(plugins=["cairo"])
    _ = app.catalogue, app.organisation
    print(f"machine: {machine()}")
    rounds = 3
    if "a" in options.only:
        bench_append(not options.no_postgresql, 300 if options.quick else 1000, 5)
    if "b" in options.only:
        bench_issue(app, 50 if options.quick else 200, rounds)
        bench_issue_documents(app, 10 if options.quick else 40, rounds)
    if "c" in options.only:
        bench_proofs(options.leaves or (1_000_000 if options.quick else 10_000_000))
    if "d" in options.only:
        bench_checkpoint(not options.no_postgresql, 100_000 if options.quick else 1_000_000)
    if "e" in options.only:
        bench_audit(app, 1000 if options.quick else 10_000)


if __name__ == "__main__":
    main()
