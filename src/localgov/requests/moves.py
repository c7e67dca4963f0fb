"""What a decision changes: the request's next state, its clock, duties, fees, assignee and what is
issued, and the event data that records the change.

A :class:`Decision` is what an actor chose (already authorised); :meth:`Mover.move` works out the
:class:`Move` it makes; a :class:`Step` is one event to record. When a decision leaves a request
where the system acts by itself (a payment confirmed, nothing left to pay), :meth:`Mover.system_step`
adds that step.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from localgov.catalogue import Channel, OriginalsHandling, ServiceDefinition, WorkflowAction, WorkflowState
from localgov.catalogue.checks import RETURN
from localgov.fees import GrantedExemption, assess
from localgov.requests.assignment import Assignment
from localgov.requests.context import EngineContext
from localgov.requests.model import SYSTEM, Actor, AttachedDocument, Issued, Request
from localgov.requests.ports import Transaction

__all__ = ["Decision", "GuardView", "Move", "Mover", "Step", "clock_stands_still"]


def clock_stands_still(state: WorkflowState, letters_awaited: Sequence[str]) -> bool:
    """Whether a request's time limit stands still in ``state``: a paused state, or one whose
    workflow pauses it while letters about the request await their replies."""
    return state.clock == "paused" or (state.letters_pause_clock and bool(letters_awaited))


@attrs.frozen
class Decision:
    """What an actor decided: the action, where the workflow takes it, and what came with it."""

    action: WorkflowAction
    actor: Actor
    target: str
    at: datetime.datetime
    comment: str | None = None
    attached: tuple[AttachedDocument, ...] = ()
    exemptions: Sequence[GrantedExemption] = ()


@attrs.frozen
class Move:
    """A decision's outcome: the request's attributes after it, and the event data recording it."""

    attributes: dict[str, Any]
    event_data: dict[str, Any]


@attrs.frozen
class Step:
    """One event to record: the action, who took it in which role, the state it led to, its data."""

    action: str
    actor: str
    role: str
    to_state: str
    data: dict[str, Any]


class GuardView:
    """What guards may ask of a request (see :class:`localgov.requests.guards.GuardSubject`)."""

    __slots__ = ("_channel", "_request", "_service")

    def __init__(self, request: Request, service: ServiceDefinition, channel: Channel | None = None) -> None:
        self._request, self._service, self._channel = request, service, channel

    def missing_documents(self) -> Sequence[str]:
        attached = {d.type for d in self._request.documents}
        return [kind for kind in self._service.required_documents(self._request.form) if kind not in attached]

    def balance_due(self) -> Decimal:
        return self._request.balance_due()

    def originals_awaited(self) -> Sequence[str]:
        if self._channel is None or self._channel.originals is not OriginalsHandling.REGISTERED_MAIL:
            return []
        return self._request.originals_awaited()


class Mover:
    def __init__(self, context: EngineContext, assignment: Assignment) -> None:
        self._context = context
        self._assignment = assignment

    def move(self, transaction: Transaction, request: Request, decision: Decision) -> Move:
        """What changes in ``request`` when ``decision`` is carried out."""
        context = self._context
        service = context.catalogue.service(request.service, request.governorate)
        workflow = context.workflow_of(request)
        action, target, comment = decision.action, decision.target, decision.comment
        today = context.today(decision.at)
        state = workflow.state(target)
        assert state is not None
        data: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        due_date, paused_since = request.due_date, request.paused_since
        if paused_since is not None and not clock_stands_still(state, request.letters_awaited):
            # The clock stood still while the applicant, the payment or a letter's reply was awaited.
            paused = context.calendar.working_days_between(paused_since, today)
            due_date = context.calendar.add_working_days(due_date, paused) if paused else due_date
            paused_since = None
        elif paused_since is None and clock_stands_still(state, request.letters_awaited):
            paused_since = today
        if due_date != request.due_date:
            changes["due_date"] = due_date.isoformat()

        return_to, missing = request.return_to, request.missing
        if (
            target in workflow.send_back_states
        ):  # sent back to the applicant: remember where to come back to, and what is missing
            return_to, missing = request.state, comment
        elif action.dest == RETURN:
            return_to, missing = None, None

        duties = dict(request.duties)
        if action.duty is not None:
            duties[action.duty] = tuple(dict.fromkeys((*duties.get(action.duty, ()), decision.actor.id)))
        invoice = request.invoice
        if "assess_fees" in action.effects:
            exemptions = decision.exemptions
            invoice = assess(service, context.catalogue, request.form, as_of=today, exemptions=exemptions)
            changes["invoice"] = {
                "lines": [
                    {"rule": l.rule, "revenue_item": l.revenue_item, "amount": str(l.amount)} for l in invoice.lines
                ],
                "total": str(invoice.total),
            }
            if exemptions:
                changes["exemptions"] = [
                    {
                        "rule": e.rule,
                        "percent": str(e.percent),
                        "reason": {"ar": e.reason.ar, "en": e.reason.en},
                        "granted_by": e.granted_by,
                        "reference": e.reference,
                    }
                    for e in exemptions
                ]
        issued = request.issued
        if state.issues and issued is None:
            # The number is drawn in the commit's own transaction, so a refused commit wastes none.
            validity = service.issues.validity
            issued = Issued(number="", issued_on=today, expires_on=validity.expiry(today) if validity else None)
            changes["issued"] = {
                "number": "",
                "issued_on": issued.issued_on.isoformat(),
                "expires_on": issued.expires_on.isoformat() if issued.expires_on else None,
            }
        reason = comment if state.final and not state.issues else request.reason
        if decision.attached:
            changes["documents"] = [attrs.asdict(d) for d in decision.attached]
        assignee = None if state.final else self._assignment.assignee(transaction, request, target, duties)
        attributes = {
            "state": target,
            "assigned_to": assignee,
            "documents": request.documents + decision.attached,
            "due_date": due_date,
            "paused_since": paused_since,
            "state_due_date": context.state_due(state.time_limit_days, today),
            "return_to": return_to,
            "missing": missing,
            "duties": duties,
            "invoice": invoice,
            "issued": issued,
            "reason": reason,
            "closed": state.final,
        }
        if assignee != request.assigned_to:
            changes["assigned_to"] = assignee
        if comment is not None:
            data["comment"] = comment
        if changes:
            data["changes"] = changes
        return Move(attributes, data)

    def system_step(
        self, transaction: Transaction, request: Request, attributes: Mapping[str, Any], at: datetime.datetime
    ) -> tuple[dict[str, Any], Step] | None:
        """The system's own action once ``request`` has ``attributes``, if one has all its guards
        met (a payment confirmed): the attributes with the system's move made, and its step."""
        workflow = self._context.workflow_of(request)
        if attributes.get("state", request.state) not in workflow.system_states:
            return None
        changed = attrs.evolve(request, **attributes)
        if changed.invoice is None or changed.closed:
            return None
        service = self._context.catalogue.service(request.service, request.governorate)
        guards = self._context.guards
        view = GuardView(changed, service, self._context.catalogue.channels.get(changed.channel))
        for action in workflow.allowed_actions(changed.state):
            if "system" in action.roles and action.guards and all(guards[g](view) is None for g in action.guards):
                target = workflow.fire(changed.state, action.code, changed.return_to)
                move = self.move(transaction, changed, Decision(action, SYSTEM, target, at))
                return {**attributes, **move.attributes}, Step(
                    action.code, SYSTEM.id, "system", target, move.event_data
                )
        return None
