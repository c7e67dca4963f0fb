"""What plugin-provided objects must look like."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from localgov.i18n import LocalizedText

__all__ = ["Guard", "Notifier", "PaymentProvider"]

# A guard returns None when the action may proceed, or the bilingual reason it may not.
Guard = Callable[[Any], LocalizedText | None]


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment provider; the full contract lives in :mod:`localgov.payments`."""

    code: str
    name: LocalizedText


@runtime_checkable
class Notifier(Protocol):
    """Sends a short message to a citizen (an SMS gateway, say)."""

    code: str

    def send(self, recipient: str, text: str) -> None: ...
