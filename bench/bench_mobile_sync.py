"""Benchmark of the mobile district's sync (plugins/localgov-mobile).

Prints the rate at which the server receives a tablet's queued submissions (``Tablet.sync`` over
the in-process transport, 500 a request: signature check, reading the submission and
``Engine.submit`` on the ``mobile_unit`` channel, which validates it, the sync's own records in
one transaction a request), beside the engine's own submit rate for the same submissions (the
same call the sync makes, with an idempotency key; and without one), each on a fresh SQLite file
in WAL mode, ``synchronous=FULL``, measured in the same run, interleaved a request at a time.
Target: sync >= 80% of the engine's keyed submit rate.

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
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins" / "localgov-mobile" / "tests"))

from localgov_mobile import LocalTransport
from localgov_mobile.exchange import MAX_BATCH
from mobile_harness import (
    APPLICANT,
    MOBILE_CLERK,
    RENEWAL_FORM,
    SERVICE_POINT,
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


class Submitter:
    """``Engine.submit`` of the submissions the tablet queues, in batches, on its own file."""

    def __init__(self, folder: Path, *, keyed: bool) -> None:
        self.made = world(f"sqlite:///{folder / 'engine.sqlite3'}")
        self.documents = [photo.upload() for photo in renewal_photos()]
        self.keyed, self.sent = keyed, 0

    def batch(self, count: int) -> tuple[float, float]:
        """Seconds, and CPU seconds, for the next ``count`` submissions (with an idempotency key if keyed)."""
        start, cpu = time.perf_counter(), time.process_time()
        for index in range(self.sent, self.sent + count):
            self.made.engine.submit(
                "shop_licence_renewal",
                unit="zeitoun",
                applicant=APPLICANT,
                form=RENEWAL_FORM,
                channel="mobile_unit",
                actor=MOBILE_CLERK,
                service_point=SERVICE_POINT,
                documents=self.documents,
                idempotency_key=f"mobile:bench:{index}" if self.keyed else None,
            )
        self.sent += count
        return time.perf_counter() - start, time.process_time() - cpu


class Syncer:
    """A tablet with N renewals queued, synced one request (500) at a time to its own server."""

    def __init__(self, folder: Path, count: int) -> None:
        self.made = world(f"sqlite:///{folder / 'server.sqlite3'}")
        self.tablet = self.made.tablet(folder / "tablet")
        start = time.perf_counter()
        take_renewals(self.tablet, count)
        self.taking = count / (time.perf_counter() - start)
        self.transport = LocalTransport(self.made.server)
        self.left = count

    def batch(self) -> tuple[int, tuple[float, float]]:
        """How many the next sync sent, its seconds and its CPU seconds (the tablet's side included)."""
        start, cpu = time.perf_counter(), time.process_time()
        report = self.tablet.sync(self.transport)
        elapsed = time.perf_counter() - start, time.process_time() - cpu
        sent = self.left - report.waiting
        self.left = report.waiting
        return sent, elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 submissions instead of 10,000")
    parser.add_argument("--count", type=int, default=None, help="queued submissions to sync")
    options = parser.parse_args(argv)
    count = options.count or (1_000 if options.quick else 10_000)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-mobile-") as base:
        folders = [Path(base) / name for name in ("keyed", "unkeyed", "sync")]
        for folder in folders:
            folder.mkdir()
        keyed, unkeyed = Submitter(folders[0], keyed=True), Submitter(folders[1], keyed=False)
        syncer = Syncer(folders[2], count)
        # Interleaved a request at a time, the order rotated each round, so that a busy moment
        # on the shared machine hits the three alike, and each file grows as the others do.
        seconds = {"keyed": 0.0, "unkeyed": 0.0, "sync": 0.0}
        cpu = dict(seconds)
        ratios = []
        round_number = 0
        while syncer.left:
            sides = ["keyed", "sync", "unkeyed"]
            shift = round_number % 3
            taken: dict[str, tuple[float, float]] = {}
            size = min(MAX_BATCH, syncer.left)
            for side in sides[shift:] + sides[:shift]:
                if side == "sync":
                    sent, taken[side] = syncer.batch()
                    if sent != size:
                        raise SystemExit(f"a sync received {sent} submissions, not {size}: see the tablet's outbox")
                else:
                    taken[side] = (keyed if side == "keyed" else unkeyed).batch(size)
            for side, (elapsed, used) in taken.items():
                seconds[side] += elapsed
                cpu[side] += used
            ratios.append(taken["keyed"][0] / taken["sync"][0])
            round_number += 1
        received = len(syncer.made.engine.summaries())
        assert received == count, f"{received} requests received, {count} queued"
        assert all(entry.status == "accepted" for entry in syncer.tablet.outbox())
        for side in (keyed, unkeyed, syncer):
            side.made.engine.store.close()  # type: ignore[attr-defined]
    rate = {side: count / elapsed for side, elapsed in seconds.items()}
    print(f"{count:,} queued submissions, SQLite WAL, synchronous=FULL, {round_number} interleaved rounds")
    print(f"  tablet: validate, sign and queue       {syncer.taking:8,.0f}/s  (on the tablet, not in the ratio)")
    print(f"  engine.submit, idempotency key         {rate['keyed']:8,.0f}/s")
    print(f"  engine.submit, no key                  {rate['unkeyed']:8,.0f}/s")
    print(
        f"  sync (500 a request)                   {rate['sync']:8,.0f}/s  = {rate['sync'] / rate['keyed']:.0%} of the "
        f"keyed submit rate, {rate['sync'] / rate['unkeyed']:.0%} of the unkeyed (target >= 80%)"
    )
    print(f"  sync / keyed by round: median {statistics.median(ratios):.0%}, range {min(ratios):.0%}-{max(ratios):.0%}")
    # CPU time (every thread of the process) is less swayed by the machine's other work than the
    # clock, though it leaves out the waits on the disk, which both sides have alike.
    print(
        f"  in CPU time: sync {cpu['keyed'] / cpu['sync']:.0%} of the keyed submit, "
        f"{cpu['unkeyed'] / cpu['sync']:.0%} of the unkeyed"
    )


if __name__ == "__main__":
    main()
