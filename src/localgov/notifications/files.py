"""A notifier that writes each message to a file, one JSON line each: for development and demos."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path

from localgov.notifications.errors import NotifierConfigurationError
from localgov.notifications.protocol import OutboundMessage

__all__ = ["FileNotifier"]


class FileNotifier:
    """Appends ``{"message_id", "to", "text"}`` lines to ``path``; a message id already written is
    not written again, as a deduplicating gateway would do."""

    def __init__(self, path: Path | str, *, code: str = "file") -> None:
        self.code = code
        self.path = Path(path)
        if self.path.is_dir():
            raise NotifierConfigurationError(f"file notifier: {self.path} is a folder; give a file path")
        self._lock = threading.Lock()
        self._written = {line["message_id"] for line in self.messages()}

    def send(self, message: OutboundMessage) -> Sequence[str]:
        with self._lock:
            if message.message_id not in self._written:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                line = {"message_id": message.message_id, "to": message.recipient, "text": message.text}
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(line, ensure_ascii=False) + "\n")
                self._written.add(message.message_id)
        return [hashlib.sha256(message.message_id.encode()).hexdigest()[:20]]

    def messages(self) -> list[dict[str, str]]:
        """Every message written so far."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as file:
            return [json.loads(line) for line in file if line.strip()]
