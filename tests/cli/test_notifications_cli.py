"""``localgov notifications``: dispatch to a file, status, opt-out, dead letters."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from localgov.cli import cli
from localgov.storage import SqlOutbox
from tests.notifications.support import issued_permit
from tests.requests.support import open_engine


def run(database: Path, *args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["--db", f"sqlite:///{database}", *(str(a) for a in args)])


def test_dispatch_to_a_file_status_and_opt_out(tmp_path: Path) -> None:
    database = tmp_path / "localgov.db"
    engine = open_engine(f"sqlite:///{database}")
    request = issued_permit(engine)
    assert json.loads(run(database, "notifications", "status", "--json").output) == {"pending": 5}
    opted = run(database, "notifications", "opt-out", "010 1234 5678")
    assert opted.exit_code == 0 and "+201012345678" in opted.output
    sms = tmp_path / "sms.jsonl"
    sent = run(database, "notifications", "dispatch", "--once", "--file", sms)
    assert sent.exit_code == 0, sent.output
    assert "sent 1, retried 0, dead 0, suppressed 4" in sent.output  # only the fees, which must go
    assert [json.loads(line)["message_id"] for line in sms.read_text("utf-8").splitlines()] == [
        f"{request.id}/5/fees_assessed"
    ]
    shown = run(database, "notifications", "status", "--request", request.id)
    assert shown.output.count("suppressed") == 4 and "sent" in shown.output


def test_a_dead_letter_is_requeued_and_a_missing_notifier_named(tmp_path: Path) -> None:
    database = tmp_path / "localgov.db"
    engine = open_engine(f"sqlite:///{database}")
    request = issued_permit(engine)
    outbox = SqlOutbox(engine.store.engine)  # type: ignore[attr-defined]
    message_id = f"{request.id}/1/received"
    outbox.bury(message_id, error="barred")
    assert run(database, "notifications", "requeue", message_id).exit_code == 0
    assert {n.message_id: n.state for n in outbox.notices()}[message_id] == "pending"
    again = run(database, "notifications", "requeue", message_id)
    assert again.exit_code != 0 and "not a dead letter" in again.output
    missing = run(database, "notifications", "dispatch", "--once", "--notifier", "pigeon")
    assert missing.exit_code == 2 and "no notifier 'pigeon'" in missing.output and "Traceback" not in missing.output
    wrong = run(database, "notifications", "opt-out", "12345")
    assert wrong.exit_code == 2 and "Egyptian mobile number" in wrong.output
