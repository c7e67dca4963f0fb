"""An outbox of messages queued as the engine queues them, without a catalogue or an engine."""

from __future__ import annotations

from pathlib import Path

from localgov.requests import NoticeRow
from localgov.storage import SqlOutbox, SqlStore

CITIZEN = "+201012345678"


def outbox_with(where: Path | str, texts: list[str], recipient: str = CITIZEN) -> SqlOutbox:
    """An outbox holding ``texts``, in an SQLite file at ``where`` or the database at URL ``where``."""
    store = SqlStore.open(where if isinstance(where, str) else f"sqlite:///{where}")
    with store.transaction() as transaction:
        for index, text in enumerate(texts):
            transaction.add_notice(
                NoticeRow(
                    f"CZTN-2600001-3/{index + 1}/received",
                    "CZTN-2600001-3",
                    "received",
                    recipient,
                    "ar",
                    text,
                    f"2026-12-06T10:00:{index % 60:02d}+00:00",
                    False,
                )
            )
    return SqlOutbox(store.engine)
