"""From the engine's values to the wire's: a request, its history, its actions, the citizen's status."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import msgspec

from localgov.catalogue import WorkflowAction
from localgov.requests import Event, Request
from localgov.web.api.wire import (
    ActionOut,
    ApplicantOut,
    DocumentOut,
    EventOut,
    FeeLineOut,
    IssuedOut,
    PaymentInstructionOut,
    RequestOut,
    StatusOut,
    StepOut,
    Text,
    text,
)
from localgov.web.status import CitizenStatus

__all__ = ["action_out", "event_out", "how_to_pay", "instruction_out", "request_out", "status_out"]


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def request_out(request: Request) -> RequestOut:
    """``request`` as given: pass the engine's view for the caller, never the stored request."""
    invoice = request.invoice
    return RequestOut(
        id=request.id,
        service=request.service,
        governorate=request.governorate,
        unit=request.unit,
        channel=request.channel,
        service_point=request.service_point,
        state=request.state,
        version=request.version,
        submitted_at=request.submitted_at,
        due_date=request.due_date,
        state_due_date=request.state_due_date,
        clock_paused_since=request.paused_since,
        assigned_to=request.assigned_to,
        missing=request.missing,
        applicant=ApplicantOut(request.applicant.national_id, request.applicant.name, request.applicant.mobile),
        form=_plain(dict(request.form)),
        documents=[DocumentOut(d.type, d.sha256, d.size, d.media_type, d.filename) for d in request.documents],
        fees=[
            FeeLineOut(line.rule, line.revenue_item, text(line.name), _money(line.amount))
            for line in (invoice.lines if invoice is not None else ())
        ],
        fees_total=_money(invoice.total) if invoice is not None else None,
        paid=_money(request.paid),
        balance_due=_money(request.balance_due()),
        issued=IssuedOut(request.issued.number, request.issued.issued_on, request.issued.expires_on)
        if request.issued is not None
        else None,
        reason=request.reason,
        closed=request.closed,
    )


def _plain(value: Any) -> Any:
    # A normalised form holds Decimals and dates: strings on the wire, as they were typed.
    return msgspec.to_builtins(value, enc_hook=str)


def event_out(event: Event) -> EventOut:
    return EventOut(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        role=event.role,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        comment=event.comment,
        data=_plain(dict(event.data)),
        hash=event.hash,
    )


def action_out(action: WorkflowAction) -> ActionOut:
    return ActionOut(action.code, text(action.label), action.dest, action.requires_comment, action.duty)


def how_to_pay(provider: str, amount: str, reference: str | None, url: str | None) -> Text:
    if reference is not None:
        return Text(
            ar=f"ادفع {amount} جنيه في أي منفذ {provider} برقم المرجع {reference}",
            en=f"Pay EGP {amount} at any {provider} outlet with reference number {reference}",
        )
    return Text(
        ar=f"ادفع {amount} جنيه على صفحة {provider}: {url}",
        en=f"Pay EGP {amount} on {provider}'s payment page: {url}",
    )


def instruction_out(
    provider: str, amount: Decimal, reference: str | None, url: str | None, expires_at: datetime.datetime | None
) -> PaymentInstructionOut:
    shown = _money(amount)
    return PaymentInstructionOut(
        provider, shown, reference, url, expires_at, how_to_pay(provider, shown, reference, url)
    )


def status_out(status: CitizenStatus) -> StatusOut:
    view = status.view
    return StatusOut(
        tracking_number=view.tracking_number,
        service=text(view.service),
        step=view.state_code,
        step_name=text(view.state),
        holder=text(status.holder),
        department=text(view.department) if view.department is not None else None,
        closed=view.closed,
        expected_date=view.expected_date,
        missing=view.missing,
        fees_due=_money(view.fees_due) if view.fees_due is not None else None,
        issued_number=view.issued_number,
        steps=[StepOut(day, text(name)) for day, name in view.steps],
        payments=[
            instruction_out(p.provider, p.amount, p.reference_number, p.pay_url, p.expires_at) for p in status.payments
        ],
    )
