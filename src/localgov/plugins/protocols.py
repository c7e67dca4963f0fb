"""What plugin-provided objects must look like.

The payment provider contract lives with the rest of payments (:mod:`localgov.payments.protocol`)
and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from localgov.i18n import LocalizedText
from localgov.payments.protocol import PaymentProvider

__all__ = ["Guard", "Notifier", "PaymentProvider"]

# A guard returns None when the action may proceed, or the bilingual reason it may not.
Guard = Callable[[Any], LocalizedText | None]


@runtime_checkable
class Notifier(Protocol):
    """Sends a short message to a citizen (an SMS gateway, say)."""

    code: str

    def send(self, recipient: str, text: str) -> None: ...
