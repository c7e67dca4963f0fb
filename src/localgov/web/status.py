"""What a citizen sees of a request, for the status page and the status API alike.

Composed from the engine's :class:`~localgov.requests.views.StatusView` (path, step, department,
missing documents, expected date, fees due) and the payment ledger (how to pay what is due). A
wrong access code, an unknown tracking number and a client that has used up its tries all give
the same answer, :class:`StatusRefused`, so nothing tells which numbers exist.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs

from localgov.errors import LocalgovError
from localgov.i18n import LocalizedText
from localgov.payments import PaymentStatus
from localgov.requests.errors import UnknownRequest
from localgov.requests.views import StatusView
from localgov.tracking import InvalidTrackingNumber, TrackingNumber
from localgov.web.context import WebContext

__all__ = ["CitizenStatus", "PaymentInstruction", "StatusRefused", "TooManyTries", "citizen_status"]


class StatusRefused(LocalgovError):
    """No request matches this tracking number and access code (which of the two is wrong is not said)."""


class TooManyTries(StatusRefused):
    """This client has tried too many wrong access codes; it must wait before trying again."""


@attrs.frozen
class PaymentInstruction:
    """One open way to pay: at a provider's outlets with a reference number, or on its page."""

    provider: str
    amount: Decimal
    reference_number: str | None
    pay_url: str | None
    expires_at: datetime.datetime | None


@attrs.frozen
class CitizenStatus:
    view: StatusView
    payments: tuple[PaymentInstruction, ...]

    @property
    def holder(self) -> LocalizedText:
        """Who has the request now: its department, the applicant, or nobody (closed)."""
        if self.view.closed:
            return LocalizedText("انتهى الطلب", "The request is closed")
        if self.view.department is not None:
            return self.view.department
        return LocalizedText("في انتظار مقدم الطلب", "Waiting on the applicant")


def citizen_status(context: WebContext, tracking_number: str, access_code: str, client: str) -> CitizenStatus:
    """The status of a request for the holder of its access code; :class:`StatusRefused` otherwise."""
    limiter = context.access_code_limiter
    if limiter.exceeded(client):
        raise TooManyTries("too many wrong access codes from this address: wait and try again")
    try:
        number = str(TrackingNumber.parse(tracking_number))
        view = context.engine.status(number, access_code)
    except (InvalidTrackingNumber, UnknownRequest):
        limiter.count(client)
        raise StatusRefused("no request matches this tracking number and access code") from None
    open_statuses = {PaymentStatus.PENDING}
    orders = context.ledger.orders_of(number) if view.fees_due is not None else ()
    instructions = tuple(
        PaymentInstruction(
            provider=order.provider,
            amount=order.amount,
            reference_number=order.reference_number,
            pay_url=order.redirect_url,
            expires_at=order.expires_at,
        )
        for order in orders
        if order.status in open_statuses
    )
    return CitizenStatus(view=view, payments=instructions)
