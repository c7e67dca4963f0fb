"""What sending a notification can refuse or fail with, each a :class:`~localgov.errors.LocalgovError`.

A notifier tells the dispatcher how a send failed by the class it raises: a
:class:`GatewayUnavailable` is tried again later (with backoff), :class:`Throttled` after the
pause the gateway asked for, and a :class:`DeliveryRefused` never (the message goes to the dead
letters at once). Messages name the gateway and the field at fault, never a password.
"""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = [
    "DeliveryRefused",
    "GatewayUnavailable",
    "NotificationError",
    "NotifierConfigurationError",
    "Throttled",
]


class NotificationError(LocalgovError):
    """Base class of every notifications failure."""


class NotifierConfigurationError(NotificationError):
    """A notifier's settings are missing or wrong (no host, a port that is not a number...)."""


class GatewayUnavailable(NotificationError):
    """The gateway could not be reached or did not answer in time: try again later."""


class Throttled(GatewayUnavailable):
    """The gateway asks us to send more slowly (SMPP ``ESME_RTHROTTLED``, HTTP 429)."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeliveryRefused(NotificationError):
    """The gateway refused this message for good (an invalid number, a barred sender)."""
