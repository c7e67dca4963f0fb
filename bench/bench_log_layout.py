"""The permit log's SQLite layout before log migration 3 and after, in the same run, rounds in turn.

Before it, an entry was a row of a table and of its primary key's index, and a subtree hash too;
after it, each is in one B-tree (entries keyed by the rowid, hashes WITHOUT ROWID). Each side's
appends are set against the raw insert-and-commit rate of its own database file, as in
bench_integrity.py part (a), on a log that already holds ``--leaves`` entries (the leaf index's
pages are then mostly out of SQLite's cache, as in a log that has run for years).

    python bench/bench_log_layout.py              # 1 million leaves first
    python bench/bench_log_layout.py --quick      # 100,000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from bench_engine import machine
from raw_write_rates import measure_commit_rate

from localgov.storage import migrate, open_database
from localgov.storage.permit_log import SqlPermitLog
from localgov.storage.permit_log_schema import LOG_TABLES, log_state

ORIGIN = "log.bench.localgov/permits"


def measure(leaves: int, count: int, rounds: int) -> None:
    for durable, setting in ((False, "NORMAL"), (True, "FULL")):
        with tempfile.TemporaryDirectory(prefix="localgov-bench-layout-") as directory:
            sides = {}
            for name, steps in (("before migration 3", LOG_TABLES.steps[:2]), ("after", LOG_TABLES.steps)):
                url = f"sqlite:///{Path(directory) / name.replace(' ', '-')}.sqlite3"
                engine = open_database(url, durable=durable)
                migrate(engine, attrs.evolve(LOG_TABLES, steps=steps))
                with engine.begin() as connection:
                    connection.execute(log_state.update().values(origin=ORIGIN))
                log = SqlPermitLog(engine, ORIGIN)
                for start in range(0, leaves, 100_000):
                    log.append_many([b"entry %d" % i for i in range(start, min(start + 100_000, leaves))])
                sides[name] = (log, open_database(url, durable=durable), [])
            for round_number in range(rounds):
                for log, raw, ratios in sides.values():
                    raw_rate = measure_commit_rate(raw, transactions=count, rounds=1, warmup=50).per_second
                    started = time.perf_counter()
                    for i in range(count):
                        log.append(b"localgov/permit/v1\nentry %d\n" % (round_number * count + i))
                    ratios.append(count / (time.perf_counter() - started) / raw_rate)
            for name, (log, raw, ratios) in sides.items():
                assert log.size == leaves + rounds * count
                print(
                    f"    synchronous={setting:6} {name:18} appends / raw insert+commit: median "
                    f"{statistics.median(ratios):.2f}, rounds {min(ratios):.2f}-{max(ratios):.2f}"
                )
                log.close()
                raw.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100,000 leaves first, shorter rounds")
    parser.add_argument("--leaves", type=int, help="entries in the log before measuring (default 1 million)")
    options = parser.parse_args(argv)
    leaves = options.leaves if options.leaves is not None else 100_000 if options.quick else 1_000_000
    print(f"machine: {machine()}")
    print(f"permit-log appends on SQLite, one leaf per transaction, after {leaves:,} leaves, 5 rounds in turn")
    measure(leaves, 300 if options.quick else 1000, 5)


if __name__ == "__main__":
    main()
