"""The values that pass between localgov and a payment provider."""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum

import attrs

__all__ = [
    "ChargeItem",
    "CreatedPayment",
    "Customer",
    "Notification",
    "PaymentMethod",
    "PaymentOrder",
    "PaymentState",
    "PaymentStatus",
    "Refund",
]


class PaymentMethod(str, Enum):
    """How the citizen pays."""

    OUTLET = "outlet"  # a reference number paid in cash at an outlet (Pay at Fawry, a post office...)
    CARD = "card"  # a bank or Meeza card, on the provider's page (a redirect)
    WALLET = "wallet"  # a mobile wallet


class PaymentStatus(str, Enum):
    """Where a payment stands, in localgov's words; each provider maps its own onto these."""

    PENDING = "pending"  # created, not paid yet
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"

    @property
    def settled(self) -> bool:
        """Money moved (and may since have been partly or wholly returned)."""
        return self in (PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)

    @property
    def final(self) -> bool:
        """Nothing more will happen to an unpaid payment in this state."""
        return self in (PaymentStatus.EXPIRED, PaymentStatus.CANCELLED, PaymentStatus.FAILED, PaymentStatus.REFUNDED)


@attrs.frozen
class ChargeItem:
    """One line of what is charged, by revenue item of the unified guide."""

    code: str  # the revenue item code
    description: str
    amount: Decimal
    quantity: int = 1


@attrs.frozen
class Customer:
    """Who pays, as far as the provider needs to know (receipts by SMS or e-mail)."""

    name: str = attrs.field(repr=False)
    mobile: str = attrs.field(repr=False)
    email: str | None = attrs.field(default=None, repr=False)
    # The merchant's id for the customer; pseudonymous, never the national ID.
    profile_id: str = ""


@attrs.frozen
class PaymentOrder:
    """What localgov asks a provider to collect.

    ``merchant_ref`` is localgov's own unique reference for this attempt (a request may take more
    than one: an expired reference is replaced by a new one).
    """

    merchant_ref: str
    request_id: str
    amount: Decimal
    method: PaymentMethod
    description: str
    items: tuple[ChargeItem, ...]
    customer: Customer
    currency: str = "EGP"
    expires_at: datetime.datetime | None = None
    return_url: str | None = None  # where a card or wallet page sends the citizen back
    card_token: str | None = attrs.field(default=None, repr=False)
    wallet_number: str | None = attrs.field(default=None, repr=False)


@attrs.frozen
class CreatedPayment:
    """A payment the provider accepted: what the citizen does next is in ``reference_number`` or ``redirect_url``."""

    provider: str
    merchant_ref: str
    provider_ref: str  # the provider's id for it (Fawry's referenceNumber)
    method: PaymentMethod
    amount: Decimal
    currency: str
    status: PaymentStatus = PaymentStatus.PENDING
    reference_number: str | None = None  # to pay at an outlet
    redirect_url: str | None = None  # to pay on the provider's page
    expires_at: datetime.datetime | None = None


@attrs.frozen
class PaymentState:
    """A payment as the provider reports it when asked."""

    provider: str
    merchant_ref: str
    provider_ref: str
    status: PaymentStatus
    amount: Decimal  # what was ordered
    currency: str
    paid_amount: Decimal | None = None
    paid_at: datetime.datetime | None = None
    # As far as the provider reports it (Fawry's status answer does not): the ledger keeps the truth.
    refunded_amount: Decimal = Decimal("0.00")


@attrs.frozen
class Refund:
    """Money given back on a paid payment."""

    provider: str
    provider_ref: str
    amount: Decimal
    reason: str | None = None
    refund_ref: str | None = None


@attrs.frozen
class Notification:
    """A provider's message about a payment, after its signature verified.

    ``amount`` is what the merchant ordered and ``paid_amount`` what the citizen paid (which may
    include the provider's own fees). ``key`` identifies the event, so a retried or replayed
    message is recognised; ``digest`` is the SHA-256 of the body, kept instead of the body.
    """

    provider: str
    merchant_ref: str
    provider_ref: str
    status: PaymentStatus
    amount: Decimal
    paid_amount: Decimal
    currency: str
    method: str
    key: str
    digest: str
    paid_at: datetime.datetime | None = None
    raw_status: str = ""
