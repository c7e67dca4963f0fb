"""Benchmark of the mobile district's sync (plugins/localgov-mobile).

Prints the rate at which the server receives a tablet's queued submissions (``Tablet.sync`` over
the in-process transport, 500 a request: signature check, re-validation and ``Engine.submit``
on the ``mobile_unit`` channel, the sync's own records in one transaction a request), beside
the engine's own submit rate for the same submissions (the same call the sync makes, with an
idempotency key; and without one), each on a fresh SQLite file in WAL mode, ``synchronous=FULL``,
measured in the same run. Target: sync >= 80% of the engine's submit rate.

The tablet's side (validating, signing and queueing each one in its outbox) is timed too, but is
not part of the ratio: it happens on the tablet, at the visit.

Run: ``.venv/bin/python bench/bench_mobile_sync.py [--quick] [--count N]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins" / "localgov-mobile" / "tests"))

from localgov_mobile import LocalTransport, Tablet
from mobile_harness import (
    APPLICANT,
    MOBILE_CLERK,
    RENEWAL_FORM,
    SERVICE_POINT,
    World,
    renewal_photos,
    take_renewals,
    world,
)


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sa.__version__}"
    )


def engine_rate(folder: Path, count: int, *, keyed: bool) -> float:
    made = world(f"sqlite:///{folder / 'engine.sqlite3'}")
    documents = [photo.upload() for photo in renewal_photos()]
    start = time.perf_counter()
    for index in range(count):
        made.engine.submit(
            "shop_licence_renewal",
            unit="zeitoun",
            applicant=APPLICANT,
            form=RENEWAL_FORM,
            channel="mobile_unit",
            actor=MOBILE_CLERK,
            service_point=SERVICE_POINT,
            documents=documents,
            idempotency_key=f"mobile:bench:{index}" if keyed else None,
        )
    elapsed = time.perf_counter() - start
    made.engine.store.close()  # type: ignore[attr-defined]
    return count / elapsed


def queued_tablet(folder: Path, made: World, count: int) -> tuple[Tablet, float]:
    tablet = made.tablet(folder / "tablet")
    start = time.perf_counter()
    take_renewals(tablet, count)
    return tablet, count / (time.perf_counter() - start)


def sync_rate(folder: Path, count: int) -> tuple[float, float]:
    made = world(f"sqlite:///{folder / 'server.sqlite3'}")
    tablet, taking = queued_tablet(folder, made, count)
    transport = LocalTransport(made.server)
    start = time.perf_counter()
    while tablet.waiting():
        tablet.sync(transport)
    elapsed = time.perf_counter() - start
    received = len(made.engine.summaries())
    assert received == count, f"{received} requests received, {count} queued"
    assert all(entry.status == "accepted" for entry in tablet.outbox())
    made.engine.store.close()  # type: ignore[attr-defined]
    return count / elapsed, taking


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 submissions instead of 10,000")
    parser.add_argument("--count", type=int, default=None, help="queued submissions to sync")
    options = parser.parse_args(argv)
    count = options.count or (1_000 if options.quick else 10_000)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-mobile-") as base:
        folders = [Path(base) / name for name in ("a", "b", "c", "d")]
        for folder in folders:
            folder.mkdir()
        # The engine's rate before and after the sync, averaged: the machine is shared.
        before = engine_rate(folders[0], count, keyed=True)
        synced, taking = sync_rate(folders[1], count)
        after = engine_rate(folders[2], count, keyed=True)
        unkeyed = engine_rate(folders[3], count, keyed=False)
    engine = (before + after) / 2
    print(f"{count:,} queued submissions, SQLite WAL, synchronous=FULL")
    print(f"  tablet: validate, sign and queue       {taking:8,.0f}/s  (on the tablet, not in the ratio)")
    print(f"  engine.submit, idempotency key         {engine:8,.0f}/s  (before {before:,.0f}, after {after:,.0f})")
    print(f"  engine.submit, no key                  {unkeyed:8,.0f}/s")
    print(
        f"  sync (500 a request)                   {synced:8,.0f}/s  = {synced / engine:.0%} of the keyed submit rate, "
        f"{synced / unkeyed:.0%} of the unkeyed (target >= 80%)"
    )


if __name__ == "__main__":
    main()
