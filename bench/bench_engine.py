"""Benchmark of the request lifecycle engine.

Prints:
(a) the time to load N stored requests (100,000 by default) and list the allowed actions of each
    (``engine.summaries()`` + ``engine.allowed_actions(summary)``), beside the raw SELECT of the
    same columns; target under 1 s on SQLite.
(b) committed transitions per second (each one ``engine.act``: read, authorise, assign, write the
    request and its hash-chained event in one transaction) on an SQLite file in WAL mode, durable
    (synchronous=FULL, the default) and not (NORMAL), and on a throwaway PostgreSQL server with
    fsync on; each beside the raw one-row insert-and-commit rate of the same database with the
    same settings (``raw_write_rates.measure_commit_rate``), measured in the same run. Target:
    engine >= 50% of raw.
(c) the same with several worker processes (``--workers``, 4 by default), each with its own
    engine and requests, beside the better of the raw rate of one connection and that of as
    many processes committing together.

Run: ``.venv/bin/python bench/bench_engine.py [--quick] [--no-postgresql] [--workers N] [--profile]``
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import sqlalchemy as sa

from localgov import Localgov
from localgov.identity import compose_national_id
from localgov.organisation import StaffMember
from localgov.requests import DocumentUpload, Engine
from localgov.requests.model import Applicant, Request
from localgov.storage import SqlStore, open_database, schema
from localgov.testing.postgresql import TemporaryPostgres
from localgov.tracking import TrackingNumber

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_write_rates import (
    measure_commit_rate,
    measure_concurrent_commit_rate,
    measure_decision_floor,
    run_in_processes,
)

CAIRO = ZoneInfo("Africa/Cairo")
PDF = b"%PDF-1.4 benchmark document"
STAFF = [
    StaffMember("clerk1", "Clerk", "zeitoun", frozenset({"front_desk_clerk"})),
    StaffMember("doc1", "Checker", "zeitoun", frozenset({"document_checker"})),
    StaffMember("eng1", "Engineer", "zeitoun", frozenset({"engineer"})),
    StaffMember("insp1", "Inspector", "zeitoun", frozenset({"field_inspector"})),
    StaffMember("fee1", "Assessor", "zeitoun", frozenset({"fee_assessor"})),
    StaffMember("head1", "Head", "zeitoun", frozenset({"approver"})),
    StaffMember("iss1", "Issuer", "zeitoun", frozenset({"issuer"})),
]
BY_ID = {member.id: member for member in STAFF}
APPLICANT = Applicant(compose_national_id(datetime.date(1980, 5, 17), "01", 1234), "محمد أحمد علي حسن", "01012345678")
FORM = {
    "applicant_capacity": "owner",
    "parcel_reference": "ZTN/12/345",
    "site_address": "١٢ شارع طومان باي",
    "floors": "5",
    "height_m": "15",
    "built_area": "240",
    "building_use": "residential",
    "estimated_cost": "2500000",
}
DOCUMENTS = [
    "national_id_copy",
    "ownership_proof",
    "site_validity_statement",
    "engineering_drawings",
    "supervising_engineer_undertaking",
]
# The path a permit takes, for seeding requests in every state.
PATH = [
    ("accept_documents", "doc1"),
    ("complete_review", "eng1"),
    ("record_inspection", "insp1"),
    ("assess_fees", "fee1"),
    ("pay", ""),
    ("approve", "head1"),
    ("issue", "iss1"),
]


def submit(engine: Engine) -> Request:
    return engine.submit(
        "building_permit",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=STAFF[0],
        applicant=APPLICANT,
        form=FORM,
        documents=[DocumentUpload(t, PDF, "pdf") for t in DOCUMENTS],
    )


def advance(engine: Engine, request: Request, steps: int) -> Request:
    for action, actor in PATH[:steps]:
        if action == "pay":
            request = engine.record_payment(
                request.id, amount=request.balance_due(), provider="fawry", reference=request.id
            )
        else:
            request = engine.act(request.id, action, BY_ID[actor])
    return request


# ------------------------------------------------------------------------------------ (a) listing


def seed(engine: Engine, count: int) -> None:
    """``count`` stored requests: a few submitted and moved through the engine, copied in bulk.

    The copies are the engine's own rows (searchable columns and the full record) under new
    tracking numbers, spread over every state of the permit workflow.
    """
    templates = [advance(engine, submit(engine), steps) for steps in range(len(PATH) + 1)]
    table = schema.requests
    with engine.store.engine.connect() as connection:  # type: ignore[attr-defined]
        rows = [
            dict(r)
            for r in connection.execute(sa.select(table).where(table.c.id.in_([t.id for t in templates]))).mappings()
        ]
    number = TrackingNumber.parse(templates[-1].id)
    batch: list[dict[str, Any]] = []
    with engine.store.engine.begin() as connection:  # type: ignore[attr-defined]
        for sequence in range(len(templates) + 1, count + 1):
            template = rows[sequence % len(rows)]
            tracking = str(TrackingNumber.issue(number.unit_code, number.year, sequence))
            batch.append({**template, "id": tracking, "data": {**template["data"], "id": tracking}})
            if len(batch) == 5000:
                connection.execute(table.insert(), batch)
                batch.clear()
        if batch:
            connection.execute(table.insert(), batch)


def list_allowed(engine: Engine) -> tuple[int, int]:
    actions = 0
    summaries = engine.summaries()
    for summary in summaries:
        actions += len(engine.allowed_actions(summary))
    return len(summaries), actions


def raw_select(engine: Engine) -> int:
    table = schema.requests
    query = sa.select(
        table.c.id,
        table.c.service,
        table.c.state,
        table.c.version,
        table.c.unit,
        table.c.assigned_to,
        table.c.due_date,
    ).order_by(table.c.id)
    with engine.store.engine.connect() as connection:  # type: ignore[attr-defined]
        return len(connection.execute(query).all())


def best_of(function: Callable[[], object], rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench_listing(app: Localgov, url: str, count: int, rounds: int, label: str) -> dict[str, Any]:
    engine = app.engine(SqlStore.open(url), staff=STAFF)
    try:
        started = time.perf_counter()
        seed(engine, count)
        seeded = time.perf_counter() - started
        listed, (requests, actions) = best_of(lambda: list_allowed(engine), rounds)  # type: ignore[misc]
        raw, _ = best_of(lambda: raw_select(engine), rounds)
    finally:
        engine.store.close()  # type: ignore[attr-defined]
    print(
        f"  {label}: {requests:,} requests, {actions:,} allowed actions listed in {listed:.3f} s "
        f"(raw SELECT of the same columns {raw:.3f} s, ratio {raw / listed:.0%}); seeding took {seeded:.1f} s"
    )
    return {"label": label, "requests": requests, "seconds": listed, "raw_seconds": raw}


# ------------------------------------------------------------------------------ (b) transitions


def transitions(engine: Engine, requests: list[Request], count: int) -> float:
    """Time ``count`` committed transitions, round robin over ``requests``.

    Each request goes back and forth between the document check and the applicant (a send-back
    and its answer): two ordinary actions of two employees, each a durable commit with its event.
    """
    clerk, checker = BY_ID["clerk1"], BY_ID["doc1"]
    started = time.perf_counter()
    for index in range(count):
        request = requests[index % len(requests)]
        if request.state == "document_check":
            request = engine.act(request.id, "request_missing", checker, comment="ينقص مستند")
        else:
            request = engine.act(request.id, "resubmit", clerk)
        requests[index % len(requests)] = request
    return time.perf_counter() - started


def report(label: str, engine_rates: list[float], raw_rates: list[float], *, raw_name: str) -> tuple[float, float]:
    """Print the engine's and the raw medians, their ratio and every round; return the medians."""
    engine_rate, raw_rate = statistics.median(engine_rates), statistics.median(raw_rates)
    # Per round as well as overall: rounds are interleaved, so each round's ratio compares
    # figures measured within a second or two of each other.
    ratios = [e / r for e, r in zip(engine_rates, raw_rates, strict=True)]
    print(
        f"  {label}: engine {engine_rate:,.0f} transitions/s, {raw_name} {raw_rate:,.0f} commits/s, "
        f"ratio {engine_rate / raw_rate:.0%} (median of rounds {statistics.median(ratios):.0%}; "
        f"rounds: {', '.join(f'{r:,.0f}' for r in engine_rates)} | {', '.join(f'{r:,.0f}' for r in raw_rates)})"
    )
    return engine_rate, raw_rate


def bench_transitions(
    app: Localgov,
    url: str,
    raw_engine: sa.Engine,
    *,
    label: str,
    count: int,
    rounds: int,
    durable: bool = True,
    profile: bool = False,
) -> dict[str, Any]:
    engine = app.engine(SqlStore.open(url, durable=durable), staff=STAFF)
    try:
        requests = [submit(engine) for _ in range(50)]
        transitions(engine, requests, 50)  # warm-up
        engine_rates: list[float] = []
        raw_rates: list[float] = []
        floor_rates: list[float] = []
        for _ in range(rounds):
            # Interleaved, so a busy moment on the shared machine hits both figures alike.
            engine_rates.append(count / transitions(engine, requests, count))
            raw_rates.append(measure_commit_rate(raw_engine, transactions=count, rounds=1, warmup=20).per_second)
            floor_rates.append(measure_decision_floor(raw_engine, transactions=count).per_second)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            transitions(engine, requests, min(count, 500))
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
            print(text.getvalue())
        broken = engine.audit()
        if broken:
            raise RuntimeError(f"the benchmark's own histories do not verify: {broken}")
    finally:
        engine.store.close()  # type: ignore[attr-defined]
    engine_rate, raw_rate = report(label, engine_rates, raw_rates, raw_name="raw")
    floor_rate = statistics.median(floor_rates)
    print(
        f"    the same statements without the engine: {floor_rate:,.0f}/s; engine/that {engine_rate / floor_rate:.0%}, "
        f"that/raw commits {floor_rate / raw_rate:.0%}"
    )
    return {"label": label, "engine": engine_rate, "raw": raw_rate, "floor": floor_rate}


def concurrent_transitions(app: Localgov, url: str, workers: int, count: int, durable: bool) -> float:
    """Committed transitions per second of ``workers`` processes, each with its own engine, together.

    Each process acts on requests of its own (so none of the work is lost to conflicts), as the
    workers of a governorate's application serve different employees.
    """
    each = count // workers

    def work(ready: Callable[[], None]) -> float:
        engine = app.engine(SqlStore.open(url, durable=durable), staff=STAFF)
        try:
            batch = [submit(engine) for _ in range(20)]
            transitions(engine, batch, 50)  # warm-up
            ready()
            transitions(engine, batch, each)
            return time.monotonic()
        finally:
            engine.store.close()  # type: ignore[attr-defined]

    return each * workers / run_in_processes(workers, work)


def bench_concurrent(
    app: Localgov,
    url: str,
    raw_engine: sa.Engine,
    *,
    label: str,
    workers: int,
    count: int,
    rounds: int,
    durable: bool = True,
) -> dict[str, Any]:
    SqlStore.open(url, durable=durable).close()  # migrated before the workers start
    engine_rates: list[float] = []
    raw_rates: list[float] = []
    for _ in range(rounds):
        engine_rates.append(concurrent_transitions(app, url, workers, count, durable))
        # The database's best: one connection alone, or as many processes as the engine had.
        alone = measure_commit_rate(raw_engine, transactions=count, rounds=1, warmup=20).per_second
        together = measure_concurrent_commit_rate(raw_engine, workers=workers, transactions=count)
        raw_rates.append(max(alone, together))
    engine = app.engine(SqlStore.open(url, durable=durable), staff=STAFF)
    try:
        broken = engine.audit()
        if broken:
            raise RuntimeError(f"the benchmark's own histories do not verify: {broken}")
    finally:
        engine.store.close()  # type: ignore[attr-defined]
    engine_rate, raw_rate = report(f"{label}, {workers} workers", engine_rates, raw_rates, raw_name="raw best")
    return {"label": label, "workers": workers, "engine": engine_rate, "raw": raw_rate}


@attrs.frozen
class Database:
    label: str
    url: str
    raw: sa.Engine  # for the raw rates, with the very settings the engine's store uses
    durable: bool
    profiled: bool  # whether --profile profiles it (not SQLite at FULL, whose time is the fsync's)


def databases(*, postgresql: bool) -> Iterator[Database]:
    """Each database the transitions are measured on, set up in turn and removed afterwards:
    an SQLite file at synchronous=FULL and at NORMAL, then a throwaway PostgreSQL server."""
    for durable, setting in ((True, "FULL"), (False, "NORMAL")):
        with sqlite_file() as url:
            raw = open_database(url, durable=durable)
            try:
                yield Database(f"SQLite file, WAL, synchronous={setting}", url, raw, durable, profiled=not durable)
            finally:
                raw.dispose()
    if postgresql:
        with TemporaryPostgres(fsync=True) as server:
            raw = sa.create_engine(server.url)
            try:
                url = server.url.render_as_string(hide_password=False)
                yield Database("PostgreSQL, fsync=on", url, raw, durable=True, profiled=True)
            finally:
                raw.dispose()


@contextlib.contextmanager
def sqlite_file() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="localgov-bench-engine-") as directory:
        yield f"sqlite:///{Path(directory) / 'localgov.sqlite3'}"


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sa.__version__}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small run (10,000 requests, 200 transitions)")
    parser.add_argument("--requests", type=int, help="stored requests to list (default 100,000)")
    parser.add_argument("--transitions", type=int, help="transitions per round (default 1,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--workers", type=int, default=4, help="processes for (c), the concurrent run")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the transitions")
    options = parser.parse_args(argv)
    count = options.requests or (10_000 if options.quick else 100_000)
    moves = options.transitions or (200 if options.quick else 1_000)
    app = Localgov(plugins=["cairo"])
    _ = app.catalogue, app.organisation  # load before timing anything
    print(f"machine: {machine()}")

    print(f"(a) listing stored requests and their allowed actions (best of {options.rounds})")
    with sqlite_file() as url:
        bench_listing(app, url, count, options.rounds, "SQLite file, WAL")
    if not options.no_postgresql:
        with TemporaryPostgres(fsync=True) as server:
            bench_listing(
                app,
                server.url.render_as_string(hide_password=False),
                count,
                options.rounds,
                "PostgreSQL",
            )

    print(f"(b) committed transitions per second, {moves:,} per round, median of {options.rounds}")
    for database in databases(postgresql=not options.no_postgresql):
        bench_transitions(
            app,
            database.url,
            database.raw,
            label=database.label,
            count=moves,
            rounds=options.rounds,
            durable=database.durable,
            profile=options.profile and database.profiled,
        )

    print(
        f"(c) committed transitions per second, {options.workers} worker processes each with its own engine, "
        f"{moves:,} per round, median of {options.rounds}"
    )
    for database in databases(postgresql=not options.no_postgresql):
        bench_concurrent(
            app,
            database.url,
            database.raw,
            label=database.label,
            workers=options.workers,
            count=moves,
            rounds=options.rounds,
            durable=database.durable,
        )


if __name__ == "__main__":
    main()
