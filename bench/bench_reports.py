"""Benchmark of the reports for decision makers (localgov.reports) over a generated year.

Prints, for SQLite (a file) and a throwaway PostgreSQL server:
(a) the year loaded: requests, events and ledger orders across Cairo's 38 districts
    (bench/year_generator.py, bulk inserts: not through the engine), and the load time;
(b) the projection's first build (``Reports.refresh()``): requests and events per second;
(c) the main time-limit report over the whole year (``Reports.time_limits``: share within the
    legal limit, median and 90th percentile of working days taken, overdue now, paused days),
    without and with a split by unit, best of 3; target under 1 s;
(d) the same aggregate, the very same SQL (the report's own functions run over a DuckDB
    connection), by DuckDB over the same projected rows in the same run, and the ratio;
(e) what keeping the projection costs: a refresh after 1,000 requests each took one more step,
    per request. Decisions themselves pay nothing: the engine's write path is unchanged.

Run: ``.venv/bin/python bench/bench_reports.py [--requests N] [--quick] [--no-postgresql]``.
The default is a full year of 1,000,000 requests; ``--quick`` generates 50,000.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from localgov import Localgov
from localgov.calendar import egypt_calendar
from localgov.payments.ledger_schema import migrate_payments, orders
from localgov.reports import Filters, Period, Reports
from localgov.reports.flow import time_limits_report
from localgov.reports.schema import report_requests
from localgov.reports.workdays import WorkdayIndex
from localgov.storage import migrate, open_database, schema
from localgov.testing.postgresql import TemporaryPostgres

sys.path.insert(0, str(Path(__file__).resolve().parent))
from year_generator import YEAR, YearGenerator

YEAR_PERIOD = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
AS_OF = datetime.datetime(YEAR, 12, 31, 20, tzinfo=datetime.UTC)
REQUEST_COLUMNS = [c.name for c in schema.requests.columns]
EVENT_COLUMNS = [c.name for c in schema.events.columns]
ORDER_COLUMNS = [c.name for c in orders.columns]


def _best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _generator(app: Localgov, requests: int) -> YearGenerator:
    # The same seed for every database: the same year, row for row.
    return YearGenerator(app.catalogue, app.organisation, egypt_calendar(), requests=requests)


def _load_sqlite(path: Path, generator: YearGenerator) -> tuple[int, int, int]:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    counts = [0, 0, 0]
    marks = ", ".join

    for chunk in generator.chunks():
        for number, (table, columns, rows) in enumerate(
            (
                ("lg_requests", REQUEST_COLUMNS, chunk.requests),
                ("lg_events", EVENT_COLUMNS, chunk.events),
                ("lg_payment_orders", ORDER_COLUMNS, chunk.orders),
            )
        ):
            placeholders = marks("?" * len(columns))
            connection.executemany(f"INSERT INTO {table} ({marks(columns)}) VALUES ({placeholders})", rows)
            counts[number] += len(rows)
        connection.commit()
    connection.close()
    return counts[0], counts[1], counts[2]


def _load_postgresql(engine: sa.Engine, generator: YearGenerator) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for chunk in generator.chunks():
            for number, (table, columns, rows) in enumerate(
                (
                    ("lg_requests", REQUEST_COLUMNS, chunk.requests),
                    ("lg_events", EVENT_COLUMNS, chunk.events),
                    ("lg_payment_orders", ORDER_COLUMNS, chunk.orders),
                )
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                counts[number] += len(rows)
            raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return counts[0], counts[1], counts[2]


def _reports(engine: sa.Engine, app: Localgov, *, max_age: datetime.timedelta | None) -> Reports:
    return Reports(
        engine,
        catalogue=app.catalogue,
        organisation=app.organisation,
        calendar=egypt_calendar(),
        clock=lambda: AS_OF,
        max_age=max_age,
    )


def _one_more_step(engine: sa.Engine, count: int) -> None:
    """``count`` open requests each take one more step, as decisions would write it."""
    r, e = schema.requests, schema.events
    with engine.begin() as connection:
        rows = connection.execute(
            sa.select(r.c.id, r.c.state, r.c.event_count).where(r.c.closed.is_(False)).limit(count)
        ).all()
        for row in rows:
            connection.execute(
                e.insert().values(
                    request_id=row.id,
                    seq=row.event_count + 1,
                    at=AS_OF.isoformat(),
                    actor="bench",
                    role="engineer",
                    action="note",
                    from_state=row.state,
                    to_state=row.state,
                    data={"comment": "bench"},
                    prev_hash="0" * 64,
                    hash="0" * 64,
                )
            )
            connection.execute(r.update().where(r.c.id == row.id).values(event_count=row.event_count + 1))


def measure(label: str, engine: sa.Engine, app: Localgov, load: Callable[[], tuple[int, int, int]]) -> dict[str, Any]:
    migrate(engine)
    migrate_payments(engine)
    start = time.perf_counter()
    requests, events, ledger = load()
    loaded = time.perf_counter() - start
    print(f"{label}: loaded {requests:,} requests, {events:,} events, {ledger:,} ledger orders in {loaded:.1f} s")
    reports = _reports(engine, app, max_age=None)
    start = time.perf_counter()
    reports.refresh()
    built = time.perf_counter() - start
    print(
        f"{label}: projection built in {built:.1f} s: {requests / built:,.0f} requests/s, {events / built:,.0f} events/s"
    )
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    whole = _best(3, lambda: reports.time_limits(YEAR_PERIOD))
    by_unit = _best(3, lambda: reports.time_limits(YEAR_PERIOD, by="unit"))
    one_unit = _best(3, lambda: reports.time_limits(YEAR_PERIOD, Filters(unit="zeitoun")))
    volume = _best(3, lambda: reports.volume(YEAR_PERIOD))
    result = reports.time_limits(YEAR_PERIOD).total
    print(
        f"{label}: time-limit report over the year: {whole * 1000:.0f} ms (by unit {by_unit * 1000:.0f} ms, "
        f"one unit {one_unit * 1000:.0f} ms); volume report {volume * 1000:.0f} ms  [target < 1000 ms]"
    )
    print(
        f"{label}:   completed {result.completed:,}, within the limit {result.share_within_limit:.1%}, "
        f"median {result.taken.median} / p90 {result.taken.p90} working days, overdue now {result.overdue_now.count:,}"
    )
    _one_more_step(engine, 1000)
    start = time.perf_counter()
    changed = _reports(engine, app, max_age=None).refresh().requests
    incremental = time.perf_counter() - start
    print(
        f"{label}: refresh after {changed:,} requests changed: {incremental * 1000:.0f} ms "
        f"({incremental / max(changed, 1) * 1e6:.0f} µs per changed request, including the scan for changes)"
    )
    return {"whole": whole, "by_unit": by_unit, "total": result}


# --------------------------------------------------------------------------- DuckDB


class _DuckResult(list[Any]):
    def all(self) -> list[Any]:
        return list(self)


class DuckConnection:
    """Runs SQLAlchemy statements on DuckDB, compiled as PostgreSQL SQL (which DuckDB reads)."""

    def __init__(self, duck: Any) -> None:
        self.duck = duck

    def execute(self, statement: Any) -> _DuckResult:
        sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        cursor = self.duck.execute(sql)
        names = [column[0] for column in cursor.description]
        row_type = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        return _DuckResult(row_type(*values) for values in cursor.fetchall())


@contextmanager
def duckdb_copy(sqlite_path: Path) -> Iterator[Any]:
    """DuckDB in memory, holding the SQLite file's projected requests (through a CSV file)."""
    import duckdb

    columns = [c.name for c in report_requests.columns]
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "requests.csv"
        source = sqlite3.connect(sqlite_path)
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(source.execute(f"SELECT {', '.join(columns)} FROM lg_report_requests"))
        source.close()
        duck = duckdb.connect()
        duck.execute(f"SET threads = {min(os.cpu_count() or 1, 2)}")
        types = {
            c.name: "DATE"
            if isinstance(c.type, sa.Date)
            else "BOOLEAN"
            if isinstance(c.type, sa.Boolean)
            else "BIGINT"
            if isinstance(c.type, sa.Integer)
            else "VARCHAR"
            for c in report_requests.columns
        }
        spec = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
        duck.execute(
            f"CREATE TABLE lg_report_requests AS SELECT * FROM read_csv('{csv_path}', header=true, columns={{{spec}}})"
        )
        yield duck
        duck.close()


def measure_duckdb(sqlite_path: Path, header_source: Reports) -> float:
    with duckdb_copy(sqlite_path) as duck:
        connection = DuckConnection(duck)
        header = header_source.time_limits(YEAR_PERIOD).header  # the same period, filters and moment
        index = WorkdayIndex(egypt_calendar())
        seconds = _best(3, lambda: time_limits_report(connection, header, index))  # type: ignore[arg-type]
        result = time_limits_report(connection, header, index).total  # type: ignore[arg-type]
        print(
            f"duckdb: the same time-limit aggregate: {seconds * 1000:.0f} ms "
            f"(completed {result.completed:,}, median {result.taken.median}, p90 {result.taken.p90})"
        )
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, help="requests in the year (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="a small year (50,000 requests)")
    parser.add_argument("--no-postgresql", action="store_true")
    arguments = parser.parse_args()
    count = arguments.requests or (50_000 if arguments.quick else 1_000_000)
    print(f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} cpus")
    app = Localgov(plugins=["cairo"])
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "year.sqlite3"
        engine = open_database(f"sqlite:///{path}")
        figures["sqlite"] = measure("sqlite", engine, app, lambda: _load_sqlite(path, _generator(app, count)))
        duck = measure_duckdb(path, _reports(engine, app, max_age=None))
        print(f"sqlite / duckdb: {figures['sqlite']['whole'] / duck:.1f}x")
        engine.dispose()
        if not arguments.no_postgresql:
            with TemporaryPostgres(fsync=False) as server:
                pg = open_database(server.url.render_as_string(hide_password=False))
                figures["postgresql"] = measure(
                    "postgresql", pg, app, lambda: _load_postgresql(pg, _generator(app, count))
                )
                print(f"postgresql / duckdb: {figures['postgresql']['whole'] / duck:.1f}x")
                pg.dispose()


if __name__ == "__main__":
    main()
