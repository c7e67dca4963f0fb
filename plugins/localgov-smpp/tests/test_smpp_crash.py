"""The outbox under a crash: a dispatcher killed between send and mark, then another one."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from localgov_smpp import SmppNotifier, SmscSimulator
from smpp_outbox import outbox_with

from localgov.notifications import Dispatcher

# The dispatcher process: it sends through the SMSC and dies, like a killed process (no cleanup,
# no mark), right after the third message is accepted.
DYING_DISPATCHER = """
import os, sys
from localgov.notifications import Dispatcher
from localgov.storage import SqlOutbox, open_database
from localgov_smpp import SmppNotifier

class DiesAfterThirdSend:
    def __init__(self, inner):
        self.inner, self.code, self.sent = inner, inner.code, 0
    def send(self, message):
        ids = self.inner.send(message)
        self.sent += 1
        if self.sent == 3:
            os._exit(9)
        return ids

url, port = sys.argv[1], sys.argv[2]
notifier = SmppNotifier.from_settings(
    {"host": "127.0.0.1", "port": port, "system_id": "localgov", "password": "secret", "sender": "LocalGov"}
)
Dispatcher(SqlOutbox(open_database(url)), DiesAfterThirdSend(notifier), lease_seconds=1.0, batch=10).drain()
"""


def test_a_dispatcher_killed_between_send_and_mark_delivers_each_message_exactly_once(
    tmp_path: Path, localgov_database_url: str, smsc: SmscSimulator, notifier: SmppNotifier
) -> None:
    texts = [f"رسالة {i}: " + "تم استلام طلبك " * (1 + i % 6) for i in range(8)]
    outbox = outbox_with(localgov_database_url, texts)
    script = tmp_path / "dispatcher.py"
    script.write_text(DYING_DISPATCHER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), localgov_database_url, str(smsc.port)],
        check=False,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 9, done.stderr.decode()
    assert len(smsc.messages) == 3
    assert outbox.counts() == {"sending": 8}  # claimed, three sent, none marked
    time.sleep(1.1)  # the dead dispatcher's lease runs out
    assert Dispatcher(outbox, notifier).drain().sent == 8
    counted = Counter(m.text for m in smsc.messages)
    assert counted == Counter(texts)  # every message, each once, as the SMSC counts them
    assert smsc.submits > sum(m.parts for m in smsc.messages)  # the three were offered again
