"""What the payments package refuses, each a :class:`~localgov.errors.LocalgovError`.

Messages name the provider, the payment and the field at fault; they never contain a secret, a
signature or a whole provider message.
"""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = [
    "InvalidNotificationSignature",
    "MalformedNotification",
    "PaymentConfigurationError",
    "PaymentError",
    "PaymentNotAllowed",
    "ProviderError",
    "ProviderUnavailable",
    "UnknownPayment",
]


class PaymentError(LocalgovError):
    """Base class of every payments refusal."""


class PaymentConfigurationError(PaymentError):
    """A provider's settings are missing or wrong (a secret not set, an unknown environment)."""


class ProviderError(PaymentError):
    """The provider answered, and refused: ``code`` is its own status code (Fawry's 9946, say)."""

    def __init__(self, provider: str, code: str, description: str) -> None:
        super().__init__(f"{provider} refused the operation: {code} {description}".strip())
        self.provider = provider
        self.code = code
        self.description = description


class ProviderUnavailable(PaymentError):
    """The provider could not be reached or answered something that is not its protocol."""


class UnknownPayment(PaymentError):
    """No such payment, at the provider or in the ledger."""


class InvalidNotificationSignature(PaymentError):
    """A provider message's signature does not verify: forged, tampered with, or for another merchant."""


class MalformedNotification(PaymentError):
    """A notification that is not what the provider sends (not JSON, a field missing or of the wrong type)."""


class PaymentNotAllowed(PaymentError):
    """The request cannot take this payment operation now (nothing due, closed, already refunded...)."""
