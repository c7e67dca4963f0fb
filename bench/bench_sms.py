"""Benchmark of SMS delivery: the outbox's dispatcher against a bare SMPP client.

Prints messages per second sent to the loopback SMSC simulator (plugins/localgov-smpp):
(a) raw: a bare client on one bound SMPP session sending submit_sm and waiting for each
    submit_sm_resp, nothing else;
(b) through the dispatcher: the same messages queued in the outbox (an SQLite file in WAL mode,
    durable), claimed in batches, sent by the SMPP notifier, marked sent, receipts applied.
Both in the same run, same one-part Latin messages, one at a time on one session. Target: (b) at
least 70% of (a).

Run: ``.venv/bin/python bench/bench_sms.py [--quick] [--messages N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from localgov.notifications import Dispatcher
from localgov.requests import NoticeRow
from localgov.storage import SqlOutbox, SqlStore
from localgov_smpp import SmppNotifier, SmscSimulator
from localgov_smpp.pdu import BindTransceiver, Command, ShortMessage, Tag
from localgov_smpp.session import Session

TEXT = "Request CZTN-2600001-3: fees EGP 2524.00. Pay with reference CZTN-2600001-3 at Fawry"


def raw_rate(smsc: SmscSimulator, count: int) -> float:
    session = Session(
        "127.0.0.1", smsc.port, BindTransceiver(smsc.system_id, smsc.password), on_deliver=lambda m, t: None
    )
    body = ShortMessage("LocalGov", "201012345678", TEXT.encode("ascii"), source_addr_ton=5, registered_delivery=1)
    try:
        started = time.perf_counter()
        for index in range(count):
            session.request(Command.SUBMIT_SM, body, {Tag.CLIENT_REFERENCE: f"raw-{index}#1".encode()})
        return count / (time.perf_counter() - started)
    finally:
        session.close()


def dispatcher_rate(smsc: SmscSimulator, count: int, folder: Path, run: int) -> float:
    store = SqlStore.open(f"sqlite:///{folder / f'outbox-{run}.db'}")
    with store.transaction() as transaction:
        for index in range(count):
            transaction.add_notice(
                NoticeRow(f"B{run}/{index}", "B", "fees_assessed", "+201012345678", "en", TEXT, "2026-12-06", True)
            )
    outbox = SqlOutbox(store.engine)
    notifier = SmppNotifier.from_settings(smsc.settings())
    notifier.connect()
    try:
        started = time.perf_counter()
        dispatcher = Dispatcher(outbox, notifier, batch=200)
        done = dispatcher.drain(timeout=600)
        elapsed = time.perf_counter() - started
        time.sleep(0.2)  # the last receipts arrive
        dispatcher.flush_receipts()
    finally:
        notifier.close()
        store.close()
    assert done.sent == count, done
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=0)
    arguments = parser.parse_args()
    count = arguments.messages or (1000 if arguments.quick else 5000)
    smsc = SmscSimulator().start()
    raws, dispatched = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(3):  # interleaved, so both see the same machine load
            raws.append(raw_rate(smsc, count))
            dispatched.append(dispatcher_rate(smsc, count, Path(folder), run))
    smsc.stop()
    raw, through = statistics.median(raws), statistics.median(dispatched)
    print(f"messages: {count} one-part Latin SMS, one session, median of 3 runs")
    print(f"(a) bare SMPP client, submit_sm and wait:  {raw:8.0f} messages/s")
    print(f"(b) outbox -> dispatcher -> SMPP notifier: {through:8.0f} messages/s")
    print(f"    ratio {through / raw:.0%} (target >= 70%)")


if __name__ == "__main__":
    main()
