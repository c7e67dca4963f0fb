"""Raw write rates: one small row inserted and committed per transaction.

This is the floor the lifecycle engine's "committed transitions per second" is compared against:
whatever the engine adds (state checks, history rows, events) costs on top of one durable commit.

Run it on its own to print the rates of this machine:

    .venv/bin/python bench/raw_write_rates.py [--transactions 2000] [--rounds 3]

or reuse its functions from another benchmark. Run as ``python bench/bench_x.py`` the bench folder
is on ``sys.path``, so ``from raw_write_rates import measure_commit_rate`` works; run as
``python -m bench.bench_x`` from the repository root, ``from bench.raw_write_rates import ...``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa

from localgov.testing.postgresql import TemporaryPostgres

__all__ = [
    "WriteRate",
    "measure_commit_rate",
    "measure_concurrent_commit_rate",
    "measure_decision_floor",
    "measure_reference_rates",
    "run_in_processes",
    "sqlite_wal_engine",
    "temporary_postgres_engine",
    "temporary_sqlite_engine",
]

PROBE_TABLE = "raw_write_probe"
# About the size of a state transition row: a key, a short state name, a timestamp.
PAYLOAD = "submitted->under_review"


@attrs.frozen
class WriteRate:
    """Rates of several timed rounds of ``transactions`` single-row commits each."""

    label: str
    transactions: int
    round_seconds: tuple[float, ...]

    @property
    def per_second(self) -> float:
        """Median over the rounds: one slow round (another process on the core) does not skew it."""
        return statistics.median(self.transactions / seconds for seconds in self.round_seconds)

    @property
    def microseconds_per_commit(self) -> float:
        return 1e6 / self.per_second


def sqlite_wal_engine(path: Path | str) -> sa.Engine:
    """An engine on the SQLite file ``path`` in WAL mode with ``synchronous=NORMAL``.

    NORMAL in WAL mode syncs at checkpoints, not at each commit: a power cut may lose the last
    commits but never corrupts the file. That is the usual production setting for SQLite.
    """
    engine = sa.create_engine(f"sqlite:///{path}")

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


@contextmanager
def temporary_sqlite_engine() -> Iterator[sa.Engine]:
    """:func:`sqlite_wal_engine` on a file in a temporary directory, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="localgov-bench-") as directory:
        engine = sqlite_wal_engine(Path(directory) / "bench.sqlite3")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def temporary_postgres_engine(*, fsync: bool = True) -> Iterator[sa.Engine]:
    """An engine on a throwaway PostgreSQL server (fsync on unless asked), stopped afterwards."""
    with TemporaryPostgres(fsync=fsync) as server:
        engine = sa.create_engine(server.url)
        try:
            yield engine
        finally:
            engine.dispose()


def measure_commit_rate(
    engine: sa.Engine,
    *,
    label: str | None = None,
    transactions: int = 2000,
    rounds: int = 3,
    warmup: int = 100,
) -> WriteRate:
    """Time ``rounds`` runs of ``transactions`` transactions, each one INSERT and a COMMIT.

    One connection is held throughout, so the figure is the database's commit cost plus the
    driver and SQLAlchemy Core's statement overhead, without pool checkouts. The probe table is
    created (replacing any earlier one) and dropped again.
    """
    metadata = sa.MetaData()
    probe = sa.Table(
        PROBE_TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("payload", sa.String(64), nullable=False),
        sa.Column("written_ns", sa.BigInteger, nullable=False),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    insert = probe.insert()
    round_seconds: list[float] = []
    try:
        with engine.connect() as connection:
            for _ in range(warmup):
                connection.execute(insert, {"payload": PAYLOAD, "written_ns": time.time_ns()})
                connection.commit()
            for _ in range(rounds):
                started = time.perf_counter()
                for _ in range(transactions):
                    connection.execute(insert, {"payload": PAYLOAD, "written_ns": time.time_ns()})
                    connection.commit()
                round_seconds.append(time.perf_counter() - started)
            written = connection.execute(sa.select(sa.func.count()).select_from(probe)).scalar()
        # A rate is only worth printing if every commit really landed.
        expected = warmup + rounds * transactions
        if written != expected:
            raise RuntimeError(f"{PROBE_TABLE} holds {written} rows, expected {expected}")
    finally:
        metadata.drop_all(engine)
    return WriteRate(label or engine.url.get_backend_name(), transactions, tuple(round_seconds))


def run_in_processes(workers: int, work: Callable[[Callable[[], None]], float]) -> float:
    """Run ``work`` in ``workers`` forked processes at once; the seconds from first start to last end.

    Each process calls ``work(ready)``: it prepares, calls ``ready()`` to wait for the others,
    does the timed work and returns the monotonic time it ended (the clock is the system's, the
    same in every process). The time is measured from the moment all of them were ready.
    """
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)
    ends = context.SimpleQueue()

    def run() -> None:
        try:
            ends.put(work(lambda: barrier.wait(timeout=120)))
        except BaseException as error:
            ends.put(repr(error))
            raise

    processes = [context.Process(target=run) for _ in range(workers)]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    started = time.monotonic()
    finished = [ends.get() for _ in processes]
    for process in processes:
        process.join()
    failures = [f for f in finished if isinstance(f, str)]
    if failures or any(p.exitcode for p in processes):
        raise RuntimeError(f"a worker process failed: {failures}")
    return max(finished) - started


def measure_concurrent_commit_rate(engine: sa.Engine, *, workers: int, transactions: int = 1000) -> float:
    """Commits per second of ``workers`` processes together, each one INSERT and a COMMIT per transaction.

    Each process opens its own connection, as separate workers of an application would.
    """
    metadata = sa.MetaData()
    probe = sa.Table(
        f"{PROBE_TABLE}_concurrent",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("payload", sa.String(64), nullable=False),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    insert = probe.insert()
    each = transactions // workers

    def work(ready: Callable[[], None]) -> float:
        engine.dispose(close=False)  # the parent's connections stay the parent's
        with engine.connect() as connection:
            ready()
            for _ in range(each):
                connection.execute(insert, {"payload": PAYLOAD})
                connection.commit()
        return time.monotonic()

    try:
        seconds = run_in_processes(workers, work)
        with engine.connect() as connection:
            written = connection.execute(sa.select(sa.func.count()).select_from(probe)).scalar()
        if written != each * workers:
            raise RuntimeError(f"{probe.name} holds {written} rows, expected {each * workers}")
    finally:
        metadata.drop_all(engine)
    return each * workers / seconds


def measure_decision_floor(
    engine: sa.Engine,
    *,
    transactions: int = 1000,
    rounds: int = 1,
    warmup: int = 20,
    record_bytes: int = 3000,
) -> WriteRate:
    """The same statements a decision runs, with none of the engine's work around them.

    Per transaction, on the driver's own connection (as the engine's write path runs): read a
    record of ``record_bytes`` of JSON, write it back under a version guard, append an event
    row, adjust a count, commit (SQLite takes its write lock first, as the engine does). What
    the engine adds on top of this is its own Python: authorisation, the state machine,
    assignment, hashing, the record's encoding.
    """
    metadata = sa.MetaData()
    rows = sa.Table(
        "raw_decision_rows",
        metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    sa.Table(
        "raw_decision_events",
        metadata,
        sa.Column("row_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    sa.Table(
        "raw_decision_counts",
        metadata,
        sa.Column("staff_id", sa.String(64), primary_key=True),
        sa.Column("open_cases", sa.Integer, nullable=False),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    select = f"SELECT version, data FROM raw_decision_rows WHERE id = {mark}"
    update = f"UPDATE raw_decision_rows SET version = {mark}, data = {mark} WHERE id = {mark} AND version = {mark}"
    insert = f"INSERT INTO raw_decision_events (row_id, seq, data) VALUES ({mark}, {mark}, {mark})"
    count = (
        f"INSERT INTO raw_decision_counts (staff_id, open_cases) VALUES ({mark}, {mark}) "
        "ON CONFLICT (staff_id) DO UPDATE SET open_cases = raw_decision_counts.open_cases + excluded.open_cases"
    )
    record = '{"data": "' + "x" * record_bytes + '"}'
    event = '{"comment": "' + "x" * 200 + '"}'
    with engine.begin() as connection:
        connection.execute(rows.insert(), [{"id": f"R{i}", "version": 0, "data": record} for i in range(50)])
    sqlite = engine.dialect.name == "sqlite"
    round_seconds: list[float] = []
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        done = 0

        def decide() -> None:
            nonlocal done
            row_id = f"R{done % 50}"
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(select, (row_id,))
            version, _data = cursor.fetchone()
            cursor.execute(update, (version + 1, record, row_id, version))
            cursor.execute(insert, (row_id, version + 1, event))
            cursor.execute(count, ("staff", 1))
            connection.commit()
            done += 1

        for _ in range(warmup):
            decide()
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(transactions):
                decide()
            round_seconds.append(time.perf_counter() - started)
    finally:
        connection.close()
        metadata.drop_all(engine)
    return WriteRate("same statements, raw", transactions, tuple(round_seconds))


def measure_reference_rates(
    *, transactions: int = 2000, rounds: int = 3, postgres_without_fsync: bool = True
) -> list[WriteRate]:
    """The reference rates: SQLite WAL/NORMAL, PostgreSQL with fsync, optionally without."""
    rates = []
    with temporary_sqlite_engine() as engine:
        rates.append(
            measure_commit_rate(
                engine,
                label="SQLite WAL, synchronous=NORMAL",
                transactions=transactions,
                rounds=rounds,
            )
        )
    with temporary_postgres_engine(fsync=True) as engine:
        rates.append(
            measure_commit_rate(engine, label="PostgreSQL, fsync=on", transactions=transactions, rounds=rounds)
        )
    if postgres_without_fsync:
        with temporary_postgres_engine(fsync=False) as engine:
            rates.append(
                measure_commit_rate(
                    engine,
                    label="PostgreSQL, fsync=off (test setting)",
                    transactions=transactions,
                    rounds=rounds,
                )
            )
    return rates


def format_rates(rates: Sequence[WriteRate]) -> str:
    lines = [f"{'backend':<40} {'commits/s':>12} {'µs/commit':>10}  rounds"]
    for rate in rates:
        rounds = ", ".join(f"{rate.transactions / s:,.0f}" for s in rate.round_seconds)
        lines.append(f"{rate.label:<40} {rate.per_second:>12,.0f} {rate.microseconds_per_commit:>10,.1f}  {rounds}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--transactions", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    rates = measure_reference_rates(transactions=options.transactions, rounds=options.rounds)
    print("one INSERT of one small row + COMMIT per transaction, one connection held")
    print(format_rates(rates))


if __name__ == "__main__":
    main()
