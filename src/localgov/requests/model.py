"""A citizen's request and its history, as frozen values."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from localgov.fees.model import Invoice
from localgov.organisation import StaffMember

__all__ = [
    "SYSTEM",
    "Actor",
    "Applicant",
    "AttachedDocument",
    "Citizen",
    "Event",
    "Issued",
    "OriginalsMovement",
    "Payment",
    "PaymentRefund",
    "Request",
    "SystemActor",
]


@attrs.frozen
class Applicant:
    """Who asked. Employees who decide see this only if their role needs it."""

    national_id: str
    name: str
    mobile: str


@attrs.frozen
class AttachedDocument:
    """A document handed in; its content is stored once, addressed by its SHA-256."""

    type: str
    sha256: str
    size: int
    media_type: str
    filename: str | None = None


@attrs.frozen
class Payment:
    provider: str
    reference: str
    amount: Decimal
    at: str


@attrs.frozen
class PaymentRefund:
    """Money given back on a payment: the payment (its provider and reference), how much, when.

    ``refund_reference`` is the provider's own reference for the refund, when it gives one.
    """

    provider: str
    reference: str
    amount: Decimal
    at: str
    refund_reference: str | None = None
    reason: str | None = None


@attrs.frozen
class OriginalsMovement:
    """Where a request's paper originals are: a registered item sent, arrived, or gone missing.

    ``item`` is the item's UPU S10 identifier (:class:`localgov.mail.S10Identifier`); ``by`` who
    recorded it (the post clerk who sent it, the district clerk who received it).
    """

    item: str
    status: str  # "sent", "arrived" or "missing"
    at: str
    by: str


@attrs.frozen
class Issued:
    """What the request produced: a permit, licence, statement or receipt."""

    number: str
    issued_on: datetime.date
    expires_on: datetime.date | None = None


@attrs.frozen
class Citizen:
    """An applicant acting for themself (on the portal, say)."""

    national_id: str
    id: str = attrs.field(default=attrs.Factory(lambda self: f"citizen:{self.national_id}", takes_self=True))
    roles: frozenset[str] = frozenset({"applicant"})


@attrs.frozen
class SystemActor:
    """localgov itself, e.g. when a confirmed payment moves a request on."""

    id: str = "system"
    roles: frozenset[str] = frozenset({"system"})


SYSTEM = SystemActor()

Actor = StaffMember | Citizen | SystemActor


@attrs.frozen
class Request:
    id: str
    governorate: str
    unit: str
    service: str
    channel: str
    service_point: str | None
    applicant: Applicant
    form: Mapping[str, Any]
    documents: tuple[AttachedDocument, ...]
    state: str
    version: int
    submitted_at: datetime.datetime
    # Overall due date; it moves later by the working days the clock spends paused.
    due_date: datetime.date
    state_due_date: datetime.date | None = None
    paused_since: datetime.date | None = None
    # Letters about this request whose replies are awaited (localgov.correspondence), by number.
    letters_awaited: tuple[str, ...] = ()
    # Where a request sent back to the applicant returns when they supply what was missing.
    return_to: str | None = None
    missing: str | None = None
    assigned_to: str | None = None
    # Who performed each duty on this request, for separation of duties.
    duties: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    invoice: Invoice | None = None
    payments: tuple[Payment, ...] = ()
    issued: Issued | None = None
    refunds: tuple[PaymentRefund, ...] = ()
    originals: tuple[OriginalsMovement, ...] = ()
    reason: str | None = None
    access_code: str = ""
    closed: bool = False
    head_hash: str = ""
    event_count: int = 0

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal("0.00"))

    def originals_awaited(self) -> list[str]:
        """The registered items of paper originals not arrived yet (sent, or missing), in order sent.

        ``["none sent"]`` when none was sent. Meaningful for a request whose channel sends its
        originals by mail (:class:`localgov.catalogue.OriginalsHandling`).
        """
        last: dict[str, str] = {}
        for movement in self.originals:
            last[movement.item] = movement.status
        if not last:
            return ["none sent"]
        return [item for item, status in last.items() if status != "arrived"]

    def balance_due(self) -> Decimal:
        return (self.invoice.total if self.invoice else Decimal("0.00")) - self.paid


@attrs.frozen
class Event:
    """One action in a request's history, hash-chained to the one before it."""

    request_id: str
    seq: int
    at: datetime.datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str
    data: Mapping[str, Any]
    prev_hash: str
    hash: str

    @property
    def comment(self) -> str | None:
        value = self.data.get("comment")
        return value if isinstance(value, str) else None
