"""Which events the applicant is told about, and the message each becomes.

The engine writes a :class:`~localgov.requests.ports.NoticeRow` for each such event in the event's
own transaction (the transactional outbox): a committed event always has its message queued, and
a refused one never does. Delivering it is an adapter's job (:mod:`localgov.notifications`).

The kinds are found from what the event did, so every workflow gets them without declaring
anything: the submission; a step into a state that sends the request back to the applicant; an
assessment with something to pay; a payment; an issue; and the actions coded ``approve`` and
``reject`` (the built-in workflows' names for the decision).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from decimal import Decimal

from localgov.catalogue import REQUIRED_MESSAGES, render_template
from localgov.i18n import Language
from localgov.requests.context import EngineContext
from localgov.requests.model import Request
from localgov.requests.ports import EventRow, NoticeRow

__all__ = ["NoticeWriter", "notice_kinds"]

_DECISIONS = {"approve": "approved", "reject": "rejected"}


def notice_kinds(context: EngineContext, request: Request, event: EventRow) -> Iterator[str]:
    """The kinds of message ``event`` of ``request`` sends the applicant (usually none or one)."""
    if event.action == "submit":
        yield "received"
        return
    changes = event.data.get("changes") or {}
    workflow = context.workflow_of(request)
    if event.to_state in workflow.send_back_states and event.from_state != event.to_state:
        yield "missing_document"
    invoice = changes.get("invoice")
    if invoice is not None and Decimal(invoice["total"]) > 0:
        yield "fees_assessed"
    if event.action == "payment":
        yield "paid"
    decision = _DECISIONS.get(event.action)
    if decision is not None:
        yield decision
    if "issued" in changes:
        yield "issued"


class NoticeWriter:
    """Turns committed events into outbox rows, worded by the catalogue's templates."""

    def __init__(self, context: EngineContext, language: Language) -> None:
        self._context = context
        self._language = language

    def notices(self, request: Request, events: Sequence[EventRow]) -> list[NoticeRow]:
        found = []
        for event in events:
            for kind in notice_kinds(self._context, request, event):
                notice = self.notice(request, kind, f"{request.id}/{event.seq}/{kind}", event.at, event)
                if notice is not None:
                    found.append(notice)
        return found

    def notice(
        self, request: Request, kind: str, message_id: str, at: str, event: EventRow | None = None
    ) -> NoticeRow | None:
        """The ``kind`` message about ``request``; ``None`` when the catalogue words none."""
        catalogue = self._context.catalogue
        template = catalogue.message(request.service, kind)
        if template is None or not request.applicant.mobile:
            return None
        service = catalogue.service(request.service).name
        values = {
            "tracking": request.id,
            "service": service.ar if self._language == "ar" else service.en,
            "due_date": request.due_date.isoformat(),
            "missing": request.missing or "",
            "reason": request.reason or "",
            "number": request.issued.number if request.issued else "",
            # Payments at Fawry and e-finance outlets are looked up by the request's number.
            "payment_reference": request.id,
            "amount": self._amount(request, kind, event),
        }
        return NoticeRow(
            message_id=message_id,
            request_id=request.id,
            kind=kind,
            recipient=request.applicant.mobile,
            language=self._language,
            text=render_template(template, self._language, values),
            created_at=at,
            required=kind in REQUIRED_MESSAGES,
        )

    def overdue_apology(self, request: Request, due: datetime.date, at: datetime.datetime) -> NoticeRow | None:
        """The apology for ``request`` having passed its time limit ``due``: one per date passed."""
        return self.notice(request, "overdue_apology", f"{request.id}/overdue/{due.isoformat()}", at.isoformat())

    @staticmethod
    def _amount(request: Request, kind: str, event: EventRow | None) -> str:
        if kind == "paid" and event is not None:
            return str(event.data.get("changes", {}).get("payment", {}).get("amount", ""))
        if kind == "fees_assessed" and request.invoice is not None:
            return str(request.invoice.total)
        return ""
