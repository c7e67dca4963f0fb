"""Acting on a request: an employee's or the applicant's action, a confirmed payment, a refund.

The request is read, decided on and written in one transaction; the write succeeds only if the
request still has the version the decision was made on, so of two employees acting at once
exactly one wins and the other gets :class:`~localgov.requests.errors.Conflict`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import attrs

from localgov.fees import GrantedExemption
from localgov.requests.authorisation import Authorisation
from localgov.requests.context import EngineContext
from localgov.requests.errors import (
    ActionNotAllowed,
    CommentRequired,
    Conflict,
    GuardFailed,
    InvalidPayment,
    SeparationOfDuties,
    UnknownRequest,
)
from localgov.requests.model import SYSTEM, Actor, Payment, PaymentRefund, Request
from localgov.requests.moves import Decision, GuardView, Mover, Step
from localgov.requests.ports import RefusalRow, Store, Transaction
from localgov.requests.recording import Recorder
from localgov.requests.uploads import DocumentUpload, check_uploads

__all__ = ["Acting", "payment_amount", "read_request"]


class Acting:
    def __init__(
        self, context: EngineContext, store: Store, authorisation: Authorisation, mover: Mover, recorder: Recorder
    ) -> None:
        self._context = context
        self._store = store
        self._authorisation = authorisation
        self._mover = mover
        self._recorder = recorder

    def act(
        self,
        request_id: str,
        action: str,
        actor: Actor,
        *,
        role: str | None,
        comment: str | None,
        documents: Sequence[DocumentUpload],
        expected_version: int | None,
        service_point: str | None,
        exemptions: Sequence[GrantedExemption],
        at: datetime.datetime | None,
    ) -> Request:
        context = self._context
        at = at or context.clock()
        comment = comment.strip() if isinstance(comment, str) and comment.strip() else None
        with self._refusals_kept(request_id, action, actor, at), self._store.transaction() as transaction:
            request = read_request(context, transaction, request_id, expected_version)
            service = context.catalogue.service(request.service, request.governorate)
            workflow = context.workflow_of(request)
            chosen = workflow.action(action)
            # The state comes first: an action the workflow cannot take now is refused as such,
            # whoever asks.
            if chosen not in workflow.allowed_actions(request.state):
                allowed = ", ".join(a.code for a in workflow.allowed_actions(request.state)) or "none"
                raise ActionNotAllowed(
                    f"action {action!r} is not allowed in state {request.state!r} (allowed: {allowed})"
                )
            role = self._authorisation.acting_role(request, chosen, actor, role)
            if chosen.requires_comment and comment is None:
                raise CommentRequired(f"action {action!r} needs a comment stating the reason")
            self._authorisation.check_time(request, at)
            self._authorisation.check_exemptions(chosen, actor, exemptions, service)
            attached = check_uploads(context.catalogue, service, documents)
            view = GuardView(
                attrs.evolve(request, documents=request.documents + attached) if attached else request,
                service,
                context.catalogue.channels.get(request.channel),
            )
            for guard_name in chosen.guards:
                reason = context.guards[guard_name](view)
                if reason is not None:
                    raise GuardFailed(f"{action!r} cannot be taken: {reason.en} / {reason.ar}")
            target = workflow.fire(request.state, action, request.return_to)
            for upload, document in zip(documents, attached, strict=True):
                transaction.put_document(document.sha256, upload.content, document.media_type)
            decision = Decision(chosen, actor, target, at, comment, attached, exemptions)
            move = self._mover.move(transaction, request, decision)
            if service_point is not None:
                move.event_data["service_point"] = service_point
            attributes, steps = move.attributes, [Step(action, actor.id, role, target, move.event_data)]
            # Nothing to pay (every fee exempted, say): the system moves on at once, as a payment would.
            follow_up = self._mover.system_step(transaction, request, attributes, at)
            if follow_up is not None:
                attributes, step = follow_up
                steps.append(step)
            current, events = self._recorder.commit(transaction, request, attributes, steps, at)
        self._recorder.announce(current, events)
        return current

    @contextmanager
    def _refusals_kept(self, request_id: str, action: str, actor: Actor, at: datetime.datetime) -> Iterator[None]:
        """Keep a separation-of-duties refusal for the supervisors' reports, once the refused
        transaction (entered inside this) has ended: it wrote nothing, and nothing changes now."""
        try:
            yield
        except SeparationOfDuties as refusal:
            when = at.astimezone(datetime.UTC).isoformat()
            self._store.record_refusal(RefusalRow(request_id, actor.id, action, str(refusal), when))
            raise

    def record_payment(
        self,
        request_id: str,
        *,
        amount: Decimal | str | int,
        provider: str,
        reference: str,
        at: datetime.datetime | None,
    ) -> Request:
        paid = payment_amount(amount)
        at = at or self._context.clock()
        with self._store.transaction() as transaction:
            request = read_request(self._context, transaction, request_id)
            if any(p.provider == provider and p.reference == reference for p in request.payments):
                return request
            payment = Payment(provider=provider, reference=reference, amount=paid, at=at.isoformat())
            attributes: dict[str, Any] = {"payments": (*request.payments, payment)}
            recorded = {"provider": provider, "reference": reference, "amount": str(paid)}
            steps = [Step("payment", SYSTEM.id, "system", request.state, {"changes": {"payment": recorded}})]
            if request.balance_due() <= paid:
                follow_up = self._mover.system_step(transaction, request, attributes, at)
                if follow_up is not None:
                    attributes, step = follow_up
                    steps.append(step)
            current, events = self._recorder.commit(transaction, request, attributes, steps, at)
        self._recorder.announce(current, events)
        return current

    def record_refund(
        self,
        request_id: str,
        *,
        amount: Decimal | str | int,
        provider: str,
        reference: str,
        refund_reference: str | None,
        by: str,
        reason: str | None,
        at: datetime.datetime | None,
    ) -> Request:
        given = payment_amount(amount)
        at = at or self._context.clock()
        with self._store.transaction() as transaction:
            request = read_request(self._context, transaction, request_id)
            if refund_reference is not None and any(
                r.provider == provider and r.refund_reference == refund_reference for r in request.refunds
            ):
                return request
            payment = next((p for p in request.payments if (p.provider, p.reference) == (provider, reference)), None)
            if payment is None:
                raise InvalidPayment(f"{request_id} has no payment {reference!r} through {provider!r} to refund")
            earlier = sum(
                (r.amount for r in request.refunds if (r.provider, r.reference) == (provider, reference)), Decimal(0)
            )
            if earlier + given > payment.amount:
                raise InvalidPayment(
                    f"{request_id}: a refund of {given} on {reference!r} would give back more than its {payment.amount} "
                    f"({earlier} already refunded)"
                )
            refund = PaymentRefund(provider, reference, given, at.isoformat(), refund_reference, reason)
            recorded = {"provider": provider, "reference": reference, "amount": str(given)}
            if refund_reference is not None:
                recorded["refund_reference"] = refund_reference
            if reason is not None:
                recorded["reason"] = reason
            # A refund moves no state: the request stays where it is, its history gains the fact.
            # It is made through the payment service (the role), on the word of ``by``.
            step = Step("refund", by, "payments", request.state, {"changes": {"refund": recorded}})
            attributes: dict[str, Any] = {"refunds": (*request.refunds, refund)}
            current, events = self._recorder.commit(transaction, request, attributes, [step], at)
        self._recorder.announce(current, events)
        return current


def read_request(
    context: EngineContext, transaction: Transaction, request_id: str, expected_version: int | None = None
) -> Request:
    """The request to decide on, read in ``transaction`` (its seal checked); refused if unknown,
    or if it is no longer at ``expected_version``."""
    row = transaction.get_request(request_id)
    if row is None:
        raise UnknownRequest(request_id)
    request = context.records.read(row)
    if expected_version is not None and expected_version != request.version:
        raise Conflict(
            f"{request_id} changed since you saw it (version {expected_version}, now {request.version}): reload it"
        )
    return request


def payment_amount(amount: object) -> Decimal:
    """A paid amount: exact decimal pounds, positive, at most two decimals (never a float)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | str | int):
        raise InvalidPayment(
            f"a payment amount must be a Decimal, a string or a whole number, not {type(amount).__name__}"
        )
    try:
        value = Decimal(amount)
    except ArithmeticError:
        raise InvalidPayment(f"not an amount: {amount!r:.40}") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidPayment(f"a payment must be a positive amount in pounds and piastres, not {amount!r:.40}")
    return value.quantize(Decimal("0.01"))
