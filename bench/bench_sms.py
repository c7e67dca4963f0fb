"""Benchmark of SMS delivery: the outbox's dispatcher against a bare SMPP client.

Prints messages per second sent to the SMSC simulator (plugins/localgov-smpp) on loopback:
(a) raw: a bare client on one bound SMPP session sending submit_sm and waiting for each
    submit_sm_resp, nothing else;
(b) through the dispatcher: the same messages queued in the outbox (an SQLite file in WAL mode,
    queued durably; the dispatcher's rounds commit without a flush, docs/notifications.md),
    claimed in batches, sent by the SMPP notifier, marked sent, receipts written.
Both in the same run, with the same one-part Latin messages, one at a time on one session, runs
interleaved. The simulator runs in a process of its own, as an SMSC is another machine: in the
measuring process it would compete with the client for the interpreter's lock, and the figures
would say more about thread scheduling than about either client. Target: (b) at least 70% of (a).

Run: ``.venv/bin/python bench/bench_sms.py [--quick] [--messages N] [--batch N]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from localgov_smpp import SmppNotifier
from localgov_smpp.pdu import BindTransceiver, Command, ShortMessage, Tag
from localgov_smpp.session import Session

from localgov.notifications import Dispatcher
from localgov.requests import NoticeRow
from localgov.storage import SqlOutbox, SqlStore

TEXT = "Request CZTN-2600001-3: fees EGP 2524.00. Pay with reference CZTN-2600001-3 at Fawry"

# The SMSC's process: it prints the settings to bind with and serves until its stdin closes.
_SMSC = """
import json, sys
from localgov_smpp import SmscSimulator
smsc = SmscSimulator(receipts="--no-receipts" not in sys.argv).start()
print(json.dumps(smsc.settings()), flush=True)
sys.stdin.read()
"""


@contextmanager
def smsc_process() -> Iterator[dict[str, str]]:
    """An SMSC simulator in its own process; the settings to bind to it."""
    import json

    process = subprocess.Popen(
        [sys.executable, "-c", _SMSC, *sys.argv[1:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        yield dict(json.loads(process.stdout.readline()))
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def raw_rate(settings: Mapping[str, str], count: int, run: int) -> float:
    bind = BindTransceiver(settings["system_id"], settings["password"])
    session = Session(settings["host"], int(settings["port"]), bind, on_deliver=lambda message, tlvs: None)
    body = ShortMessage("LocalGov", "201012345678", TEXT.encode("ascii"), source_addr_ton=5, registered_delivery=1)
    try:
        started = time.perf_counter()
        for index in range(count):
            # A reference of its own per message and run: one the SMSC has seen is not sent again.
            session.request(Command.SUBMIT_SM, body, {Tag.CLIENT_REFERENCE: f"raw-{run}-{index}#1".encode()})
        return count / (time.perf_counter() - started)
    finally:
        session.close()


def dispatcher_rate(settings: Mapping[str, str], count: int, folder: Path, run: int, batch: int) -> float:
    store = SqlStore.open(f"sqlite:///{folder / f'outbox-{run}.db'}")
    with store.transaction() as transaction:
        for index in range(count):
            transaction.add_notice(
                NoticeRow(f"B{run}/{index}", "B", "fees_assessed", "+201012345678", "en", TEXT, "2026-12-06", True)
            )
    outbox = SqlOutbox(store.engine)
    notifier = SmppNotifier.from_settings(settings)
    notifier.connect()
    try:
        dispatcher = Dispatcher(outbox, notifier, batch=batch)
        started = time.perf_counter()
        done = dispatcher.drain(timeout=600)
        elapsed = time.perf_counter() - started
        time.sleep(0.3)  # the last receipts arrive
        dispatcher.settle()
    finally:
        notifier.close()
    counts = outbox.counts()
    store.close()
    assert done.sent == count, done
    assert counts == {"delivered": count}, counts
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=0)
    parser.add_argument("--batch", type=int, default=200)
    arguments = parser.parse_args()
    count = arguments.messages or (1000 if arguments.quick else 5000)
    raws, dispatched = [], []
    with smsc_process() as settings, tempfile.TemporaryDirectory() as folder:
        for run in range(3):  # interleaved, so both see the same machine load
            raws.append(raw_rate(settings, count, run))
            dispatched.append(dispatcher_rate(settings, count, Path(folder), run, arguments.batch))
    raw, through = statistics.median(raws), statistics.median(dispatched)
    print(f"messages: {count} one-part Latin SMS, one session, batches of {arguments.batch}, median of 3 runs")
    print(
        f"(a) bare SMPP client, submit_sm and wait:  {raw:8.0f} messages/s  (runs: {', '.join(f'{r:.0f}' for r in raws)})"
    )
    print(
        f"(b) outbox -> dispatcher -> SMPP notifier: {through:8.0f} messages/s  "
        f"(runs: {', '.join(f'{r:.0f}' for r in dispatched)})"
    )
    print(f"    ratio {through / raw:.0%} (target >= 70%)")


if __name__ == "__main__":
    main()
