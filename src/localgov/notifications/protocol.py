"""What a notifier (an SMS gateway, a file for development) must look like.

The dispatcher hands a notifier one :class:`OutboundMessage` at a time. Its ``message_id`` is the
outbox row's, the same at every attempt: a notifier passes it to the gateway as the client's
reference, so a gateway that deduplicates by it accepts a retried message once
(docs/notifications.md, "Delivery guarantees").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import attrs

__all__ = ["DeliveryReceipt", "Notifier", "OutboundMessage", "ReceiptHandler", "ReportsDelivery"]


@attrs.frozen
class OutboundMessage:
    """One message to one citizen."""

    message_id: str
    recipient: str  # E.164, +20...
    text: str


@attrs.frozen
class DeliveryReceipt:
    """What a gateway reports about one part it accepted."""

    notifier: str
    provider_id: str
    delivered: bool
    status: str  # the gateway's word for it: DELIVRD, UNDELIV, EXPIRED...


ReceiptHandler = Callable[[DeliveryReceipt], None]


@runtime_checkable
class Notifier(Protocol):
    """Sends a short message to a citizen (an SMS gateway, say)."""

    code: str

    def send(self, message: OutboundMessage) -> Sequence[str]:
        """Send ``message``; return the gateway's id of each part it accepted.

        Raise :class:`~localgov.notifications.GatewayUnavailable` (or ``Throttled``) to be tried
        again later, :class:`~localgov.notifications.DeliveryRefused` to give up on it.
        """
        ...


@runtime_checkable
class ReportsDelivery(Protocol):
    """A notifier whose gateway sends delivery receipts back (SMPP deliver_sm, an HTTP callback)."""

    def on_receipt(self, handler: ReceiptHandler) -> None:
        """Call ``handler`` with each receipt from now on (from any thread)."""
        ...
