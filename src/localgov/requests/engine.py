"""The lifecycle engine: the one front an application holds to submit, act on and read requests.

It is a thin front over modules with one job each: :mod:`~localgov.requests.intake` (submission),
:mod:`~localgov.requests.authorisation` (who may act), :mod:`~localgov.requests.assignment` (who
takes the next step), :mod:`~localgov.requests.moves` (what a decision changes),
:mod:`~localgov.requests.acting` (actions and payments), :mod:`~localgov.requests.recording`
(writing it down, hash-chained) and :mod:`~localgov.requests.views` (reading).

Every change is one transaction: the request row is written only if its version is the one the
decision was made on (optimistic concurrency), together with the hash-chained events that record
it. Two employees acting at once: exactly one wins, the other gets :class:`Conflict`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from localgov.calendar import WorkingCalendar
from localgov.catalogue import Catalogue, WorkflowAction
from localgov.clock import EGYPT, Clock, utcnow
from localgov.fees import GrantedExemption
from localgov.i18n import Language
from localgov.organisation import Governorate, StaffMember
from localgov.requests.acting import Acting
from localgov.requests.assignment import Assignment
from localgov.requests.authorisation import Authorisation
from localgov.requests.context import EngineContext
from localgov.requests.errors import RoleNotAllowed, SeparationOfDuties
from localgov.requests.guards import Guard
from localgov.requests.hooks import LifecycleHooks
from localgov.requests.intake import Intake
from localgov.requests.letters import LetterWaits
from localgov.requests.model import Actor, Applicant, Event, Request
from localgov.requests.moves import Mover
from localgov.requests.notices import NoticeWriter
from localgov.requests.originals import Originals
from localgov.requests.ports import RequestQuery, Store, SummaryRow
from localgov.requests.recording import Recorder
from localgov.requests.uploads import DocumentUpload
from localgov.requests.views import Overdue, StatusView, Views
from localgov.requests.workflow import CompiledWorkflow

__all__ = ["Engine"]


class Engine:
    """Moves citizens' requests through their workflows.

    Build one per process with :meth:`localgov.Localgov.engine`, or directly from a catalogue,
    an organisation, a store and a calendar.

    :param guards: the workflow guards by name (the built-in ones and the plugins').
    :param audit_key: keys the history's hash chain; keep it outside the database.
    :param hooks: told of each committed event and each overdue request.
    :param clock: what an action is dated when no time is given (UTC).
    :param timezone: where the citizens are: the day a time limit counts from.
    :param notice_language: the language of the applicant's messages the engine queues in the
        store's outbox with each event that concerns them (:mod:`localgov.requests.notices`);
        ``None`` queues none (a store without an outbox).
    """

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        organisation: Mapping[str, Governorate],
        store: Store,
        calendar: WorkingCalendar,
        staff: Iterable[StaffMember] = (),
        guards: Mapping[str, Guard] | None = None,
        audit_key: bytes = b"",
        hooks: LifecycleHooks | None = None,
        clock: Clock = utcnow,
        timezone: datetime.tzinfo = EGYPT,
        notice_language: Language | None = "ar",
    ) -> None:
        self.store = store
        self._context = context = EngineContext(
            catalogue=catalogue,
            organisation=organisation,
            calendar=calendar,
            staff={member.id: member for member in staff},
            guards=dict(guards or {}),
            audit_key=audit_key,
            clock=clock,
            timezone=timezone,
        )
        assignment = Assignment(context)
        self._notices = NoticeWriter(context, notice_language) if notice_language is not None else None
        recorder = Recorder(context, hooks, self._notices)
        mover = Mover(context, assignment)
        self._authorisation = Authorisation(context)
        self._intake = Intake(context, store, assignment, recorder)
        self._acting = Acting(context, store, self._authorisation, mover, recorder)
        self._originals = Originals(context, store, recorder)
        self._letters = LetterWaits(context, store, recorder)
        self._views = Views(context, store, self._authorisation, hooks)

    @property
    def catalogue(self) -> Catalogue:
        return self._context.catalogue

    @property
    def organisation(self) -> Mapping[str, Governorate]:
        return self._context.organisation

    @property
    def calendar(self) -> WorkingCalendar:
        return self._context.calendar

    @property
    def staff(self) -> Mapping[str, StaffMember]:
        return self._context.staff

    @property
    def guards(self) -> Mapping[str, Guard]:
        return self._context.guards

    @property
    def workflows(self) -> Mapping[str, CompiledWorkflow]:
        return self._context.workflows

    @property
    def audit_key(self) -> bytes:
        """The key of the history's hash chain, for the chains kept beside it (the correspondence's)."""
        return self._context.audit_key

    @property
    def timezone(self) -> datetime.tzinfo:
        """Where the citizens are: dates of due days, issues and expiries are taken here."""
        return self._context.timezone

    def now(self) -> datetime.datetime:
        """The engine's clock: what an action or payment is dated when no time is given."""
        return self._context.clock()

    def today(self, at: datetime.datetime | None = None) -> datetime.date:
        """The date of ``at`` (by default, now) in the engine's timezone."""
        return self._context.today(at or self._context.clock())

    # ------------------------------------------------------------------ changing

    def submit(
        self,
        service: str,
        *,
        unit: str,
        applicant: Applicant,
        form: Mapping[str, Any],
        channel: str,
        actor: Actor | None = None,
        service_point: str | None = None,
        documents: Sequence[DocumentUpload] = (),
        governorate: str | None = None,
        idempotency_key: str | None = None,
        at: datetime.datetime | None = None,
    ) -> Request:
        """Receive a request. Returns it with its tracking number and access code.

        A retried submission with the same ``idempotency_key`` returns the request the first one
        created; the same key with different content is refused.
        """
        return self._intake.submit(
            service,
            unit=unit,
            applicant=applicant,
            form=form,
            channel=channel,
            actor=actor,
            service_point=service_point,
            documents=documents,
            governorate=governorate,
            idempotency_key=idempotency_key,
            at=at,
        )

    def act(
        self,
        request_id: str,
        action: str,
        actor: Actor,
        *,
        role: str | None = None,
        comment: str | None = None,
        documents: Sequence[DocumentUpload] = (),
        expected_version: int | None = None,
        service_point: str | None = None,
        exemptions: Sequence[GrantedExemption] = (),
        at: datetime.datetime | None = None,
    ) -> Request:
        """Take ``action`` on a request as ``actor``; return the request after it.

        ``exemptions`` are fee exemptions the actor grants, with their reasons; they go with an
        action that assesses the fees, and are recorded on the invoice and in the history.

        The request is read, decided on and written in one transaction. ``expected_version`` is
        the version the actor saw: if the request changed since, :class:`Conflict` is raised and
        nothing is written.
        """
        return self._acting.act(
            request_id,
            action,
            actor,
            role=role,
            comment=comment,
            documents=documents,
            expected_version=expected_version,
            service_point=service_point,
            exemptions=exemptions,
            at=at,
        )

    def record_payment(
        self,
        request_id: str,
        *,
        amount: Decimal | str | int,
        provider: str,
        reference: str,
        at: datetime.datetime | None = None,
    ) -> Request:
        """Record a confirmed payment; if it covers the invoice, move the request on as the system.

        A payment already recorded (same provider and reference) changes nothing.
        """
        return self._acting.record_payment(request_id, amount=amount, provider=provider, reference=reference, at=at)

    def record_refund(
        self,
        request_id: str,
        *,
        amount: Decimal | str | int,
        provider: str,
        reference: str,
        refund_reference: str | None = None,
        by: str = "system",
        reason: str | None = None,
        at: datetime.datetime | None = None,
    ) -> Request:
        """Record money given back on a payment of the request, as an event of its history.

        ``provider`` and ``reference`` name the payment; ``refund_reference`` is the provider's
        reference for the refund (a refund already recorded with it changes nothing); ``by`` is
        who gave it. More than the payment's amount in all is refused (:class:`InvalidPayment`).
        The request's state does not change.
        """
        return self._acting.record_refund(
            request_id,
            amount=amount,
            provider=provider,
            reference=reference,
            refund_reference=refund_reference,
            by=by,
            reason=reason,
            at=at,
        )

    def record_originals(
        self,
        request_id: str,
        *,
        item: str,
        status: str,
        actor: StaffMember,
        at: datetime.datetime | None = None,
    ) -> Request:
        """Record what became of the request's paper originals sent by registered mail.

        ``item`` is the registered letter's UPU S10 identifier; ``status`` is ``"sent"`` (by the
        counter's clerk), then ``"arrived"`` or ``"missing"`` (by a document checker of the
        district, not the sender). Only for a request whose channel sends originals by mail; the
        same movement twice changes nothing. See :mod:`localgov.requests.originals`.
        """
        return self._originals.record(request_id, item=item, status=status, actor=actor, at=at)

    def record_letter(
        self,
        request_id: str,
        *,
        letter: str,
        awaited: bool,
        actor: StaffMember,
        at: datetime.datetime | None = None,
    ) -> Request:
        """Record that the reply to ``letter`` (a letter about the request) is awaited, or came.

        Where the request's workflow state says ``letters_pause_clock``, its time limit stands
        still while any such letter is awaited. :class:`localgov.correspondence.Correspondence`
        calls this as it sends a letter with a reply-by date, and as the reply arrives; the same
        call again changes nothing. See :mod:`localgov.requests.letters`.
        """
        return self._letters.record(request_id, letter=letter, awaited=awaited, actor=actor, at=at)

    # ------------------------------------------------------------------ reading

    def get(self, request_id: str) -> Request:
        """The request as stored; :class:`UnknownRequest` if there is none."""
        return self._views.get(request_id)

    def summaries(self, *, unit: str | None = None, open_only: bool = False) -> list[SummaryRow]:
        """Light summaries of stored requests (id, service, state, version...), for lists and reports."""
        return self.store.summaries(unit=unit, open_only=open_only)

    def request_page(self, query: RequestQuery) -> list[SummaryRow]:
        """One page of requests, newest submission first; the next page is
        ``attrs.evolve(query, after=(last.submitted_at, last.id))`` for the page's last row."""
        return self.store.request_page(query)

    def workflow_of(self, request: Request | SummaryRow) -> CompiledWorkflow:
        return self._context.workflow_of(request)

    def allowed_actions(self, request: Request | SummaryRow, actor: Actor | None = None) -> list[WorkflowAction]:
        """Actions possible from the request's state; with ``actor``, those this actor may take.

        Guards are not evaluated here: an allowed action may still be refused for an unmet condition.
        """
        actions = self._context.workflow_of(request).allowed_actions(request.state)
        if actor is None:
            return list(actions)
        if not isinstance(request, Request):
            raise TypeError("pass the full request (engine.get), not a summary, to filter by actor")
        allowed = []
        for action in actions:
            try:
                self._authorisation.acting_role(request, action, actor, None)
            except (RoleNotAllowed, SeparationOfDuties):
                continue
            allowed.append(action)
        return allowed

    def view(self, request: Request, actor: Actor) -> Request:
        """The request as ``actor`` may see it: back-office roles see the case, not who asked."""
        return self._views.view(request, actor)

    def history(self, request_id: str, viewer: Actor | None = None) -> list[Event]:
        """Every event of a request, oldest first.

        With ``viewer``, what that actor may see: for back-office roles the applicant's identity
        is left out of the submission event, as it is from :meth:`view`.
        """
        return self._views.history(request_id, viewer)

    def status(self, request_id: str, access_code: str) -> StatusView:
        """The citizen's view, for the receipt QR and SMS inquiry: tracking number + access code."""
        return self._views.status(request_id, access_code)

    def overdue(self, today: datetime.date | None = None) -> list[Overdue]:
        """Open requests past a time limit (the clock stopped while paused); tells ``request_overdue``.

        Each request past its own time limit (not only a step's) gets an apology queued in the
        outbox, once per date it passed however often this is asked.
        """
        found = self._views.overdue(today)
        apologies = [
            notice
            for late in found
            if late.scope == "request" and self._notices is not None
            for notice in [self._notices.overdue_apology(late.request, late.due, self._context.clock())]
            if notice is not None
        ]
        if apologies:
            with self.store.transaction() as transaction:
                for notice in apologies:
                    transaction.add_notice(notice)
        return found

    def verify_history(self, request_id: str) -> list[str]:
        """Findings about one request's stored history; empty when it verifies."""
        return self._views.verify_history(request_id)

    def audit(self) -> dict[str, list[str]]:
        """Verify every request's history; return the findings of those that do not verify.

        Tracking numbers are allocated in the same transaction as the request, so a gap in a unit's
        sequence means a request row was deleted.
        """
        return self._views.audit()
