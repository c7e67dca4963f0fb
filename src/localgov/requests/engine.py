"""The lifecycle engine: submission, actions, separation of duties, time limits, history.

Every change is one transaction: the request row is written only if its version is the one the
decision was made on (optimistic concurrency), together with the hash-chained event that records
it. Two employees acting at once: exactly one wins, the other gets :class:`Conflict`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from localgov.calendar import WorkingCalendar
from localgov.catalogue import Catalogue, ServiceDefinition, WorkflowAction
from localgov.catalogue.checks import INTAKE, RETURN
from localgov.fees import GrantedExemption, assess
from localgov.i18n import LocalizedText
from localgov.identity import InvalidNationalId, parse_national_id
from localgov.organisation import Governorate, LocalUnit, ServicePointKind, StaffMember
from localgov.phone import InvalidMobileNumber, normalise_mobile
from localgov.plugins import Guard
from localgov.requests.codec import request_from_data, request_to_data
from localgov.requests.errors import (
    ActionNotAllowed,
    CommentRequired,
    Conflict,
    GuardFailed,
    IdempotencyKeyReused,
    InvalidDocument,
    InvalidForm,
    InvalidPayment,
    InvalidSubmission,
    NotAssigned,
    RoleNotAllowed,
    SeparationOfDuties,
    UnknownRequest,
)
from localgov.requests.forms import validate_form
from localgov.requests.history import GENESIS, chain_hash, verify_chain
from localgov.requests.model import (
    SYSTEM,
    Actor,
    Applicant,
    AttachedDocument,
    Citizen,
    Event,
    Issued,
    Payment,
    Request,
    SystemActor,
)
from localgov.requests.ports import EventRow, RequestRow, Store, SummaryRow, Transaction
from localgov.requests.workflow import CompiledWorkflow, compile_workflows
from localgov.tokens.receipt import check_access_code, new_access_code
from localgov.tracking import TrackingNumber

__all__ = ["DocumentUpload", "Engine", "Overdue", "StatusView"]

CAIRO = ZoneInfo("Africa/Cairo")
# Which kind of service point each counter channel runs at (the portal has none).
CHANNEL_POINTS = {
    "front_desk": ServicePointKind.TECHNOLOGY_CENTER,
    "post_office": ServicePointKind.POST_OFFICE,
    "mobile_unit": ServicePointKind.MOBILE_UNIT,
}
# Counters of issued documents (permits, licences, receipts) are kept apart from tracking numbers.
ISSUED_SCOPE = "P"
MEDIA_TYPES = {"pdf": b"%PDF-", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}


@attrs.frozen
class DocumentUpload:
    """A document handed in at submission or with a response to a send-back."""

    type: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    media_type: str
    filename: str | None = None


@attrs.frozen
class Overdue:
    request: Request
    due: datetime.date
    overdue_working_days: int
    scope: str  # "request" (overall time limit) or "state" (the current step's)


@attrs.frozen
class StatusView:
    """What a citizen sees when following a request (no personal data)."""

    tracking_number: str
    service: LocalizedText
    state: LocalizedText
    closed: bool
    expected_date: datetime.date
    missing: str | None
    steps: tuple[tuple[datetime.date, LocalizedText], ...]


def _money(amount: object) -> Decimal:
    """A paid amount: exact decimal pounds, positive, at most two decimals (never a float)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | str | int):
        raise InvalidPayment(f"a payment amount must be a Decimal, a string or a whole number, not {type(amount).__name__}")
    try:
        value = Decimal(amount)
    except ArithmeticError:
        raise InvalidPayment(f"not an amount: {amount!r:.40}") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidPayment(f"a payment must be a positive amount in pounds and piastres, not {amount!r:.40}")
    return value.quantize(Decimal("0.01"))


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class _GuardView:
    """What guards may ask of a request (see :class:`localgov.requests.guards.GuardSubject`)."""

    def __init__(self, request: Request, service: ServiceDefinition) -> None:
        self._request, self._service = request, service

    def missing_documents(self) -> Sequence[str]:
        attached = {d.type for d in self._request.documents}
        return [kind for kind in self._service.required_documents(self._request.form) if kind not in attached]

    def balance_due(self) -> Any:
        return self._request.balance_due()


class Engine:
    """Moves citizens' requests through their workflows.

    Build one per process with :meth:`localgov.Localgov.engine`, or directly from a catalogue,
    an organisation, a store and a calendar.
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
        hooks: Any = None,
        clock: Callable[[], datetime.datetime] = _utcnow,
        timezone: datetime.tzinfo = CAIRO,
    ) -> None:
        self.catalogue = catalogue
        self.organisation = organisation
        self.store = store
        self.calendar = calendar
        self.staff = {member.id: member for member in staff}
        self.guards = dict(guards or {})
        self._audit_key = audit_key
        self._hooks = hooks
        self._clock = clock
        self._timezone = timezone
        self.workflows: Mapping[str, CompiledWorkflow] = compile_workflows(catalogue)
        self._workflow_of_service = {code: s.workflow for code, s in catalogue.services.items()}
        self._main_actions = {
            (code, state.code): main
            for code, workflow in self.workflows.items()
            for state in workflow.definition.states
            if (main := self._main_action(workflow, state.code)) is not None
        }

    # ------------------------------------------------------------------ reading

    def now(self) -> datetime.datetime:
        """The engine's clock: what an action or payment is dated when no time is given."""
        return self._clock()

    def get(self, request_id: str) -> Request:
        row = self.store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        return request_from_data(row.data)

    def workflow_of(self, request: Request | SummaryRow) -> CompiledWorkflow:
        return self.workflows[self._workflow_of_service[request.service]]

    def allowed_actions(self, request: Request | SummaryRow, actor: Actor | None = None) -> list[WorkflowAction]:
        """Actions possible from the request's state; with ``actor``, those this actor may take.

        Guards are not evaluated here: an allowed action may still be refused for an unmet condition.
        """
        actions = self.workflow_of(request).allowed_actions(request.state)
        if actor is None:
            return list(actions)
        assert isinstance(request, Request), "pass the full request to filter by actor"
        allowed = []
        for action in actions:
            try:
                self._authorise(request, action, actor, None)
            except (RoleNotAllowed, SeparationOfDuties):
                continue
            allowed.append(action)
        return allowed

    def history(self, request_id: str, viewer: Actor | None = None) -> list[Event]:
        """Every event of a request, oldest first.

        With ``viewer``, what that actor may see: for back-office roles the applicant's identity
        is left out of the submission event, as it is from :meth:`view`.
        """
        row = self.store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        blind = viewer is not None and not self._sees_applicant(request_from_data(row.data), viewer)
        return [
            Event(
                request_id=e.request_id, seq=e.seq, at=datetime.datetime.fromisoformat(e.at), actor=e.actor,
                role=e.role, action=e.action, from_state=e.from_state, to_state=e.to_state,
                data={k: v for k, v in e.data.items() if k != "applicant"} if blind else e.data,
                prev_hash=e.prev_hash, hash=e.hash,
            )
            for e in self.store.events(request_id)
        ]

    def verify_history(self, request_id: str) -> list[str]:
        """Findings about one request's stored history; empty when it verifies."""
        row = self.store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        return verify_chain(self._audit_key, row, self.store.events(request_id))

    def audit(self) -> dict[str, list[str]]:
        """Verify every request's history; return the findings of those that do not verify.

        Tracking numbers are allocated in the same transaction as the request, so a gap in a unit's
        sequence means a request row was deleted.
        """
        findings: dict[str, list[str]] = {}
        seen: dict[tuple[str, int], set[int]] = {}
        for request_id in self.store.request_ids():
            problems = self.verify_history(request_id)
            if problems:
                findings[request_id] = problems
            try:
                number = TrackingNumber.parse(request_id)
            except Exception:  # noqa: BLE001 - a malformed id is itself a finding
                findings.setdefault(request_id, []).append("the tracking number is not valid (edited)")
                continue
            seen.setdefault((number.unit_code, number.year), set()).add(number.sequence)
        # The counters know the last number handed out, so a deleted newest request shows too.
        for scope, year, last in self.store.sequences():
            if scope.startswith(ISSUED_SCOPE):
                continue
            seen.setdefault((scope, year), set())
            for sequence in sorted(set(range(1, last + 1)) - seen[(scope, year)]):
                missing = str(TrackingNumber.issue(scope, year, sequence))
                findings[missing] = ["request is missing: its tracking number was issued but the request is gone (deleted)"]
        return findings

    def status(self, request_id: str, access_code: str) -> StatusView:
        """The citizen's view, for the receipt QR and SMS inquiry: tracking number + access code."""
        row = self.store.get_request(request_id)
        request = request_from_data(row.data) if row is not None else None
        # Compare even when the request does not exist, so timing does not reveal which numbers do.
        expected = request.access_code if request is not None else new_access_code()
        if not check_access_code(access_code, expected) or request is None:
            raise UnknownRequest(request_id)
        workflow = self.workflow_of(request).definition
        steps = tuple(
            (e.at.astimezone(self._timezone).date(), workflow.state(e.to_state).name)  # type: ignore[union-attr]
            for e in self.history(request_id)
            if e.from_state != e.to_state
        )
        return StatusView(
            tracking_number=request.id,
            service=self.catalogue.service(request.service).name,
            state=workflow.state(request.state).name,  # type: ignore[union-attr]
            closed=request.closed,
            expected_date=request.due_date,
            missing=request.missing,
            steps=steps,
        )

    def view(self, request: Request, actor: Actor) -> Request:
        """The request as ``actor`` may see it: back-office roles see the case, not who asked."""
        if self._sees_applicant(request, actor):
            return request
        hidden = Applicant(national_id="(hidden)", name="(hidden)", mobile="(hidden)")
        form = {k: v for k, v in request.form.items() if not self._is_personal(request, k)}
        return attrs.evolve(request, applicant=hidden, form=form)

    def _sees_applicant(self, request: Request, actor: Actor) -> bool:
        if isinstance(actor, SystemActor):
            return True
        if isinstance(actor, Citizen):  # a citizen sees their own requests only
            return actor.national_id == request.applicant.national_id
        return any(self.catalogue.roles[r].sees_applicant for r in actor.roles if r in self.catalogue.roles)

    def _is_personal(self, request: Request, field_name: str) -> bool:
        form_field = self.catalogue.service(request.service).field(field_name)
        return form_field is not None and form_field.type.value in {"national_id", "mobile"}

    def overdue(self, today: datetime.date | None = None) -> list[Overdue]:
        """Open requests past a time limit (the clock stopped while paused); calls ``request_overdue``."""
        today = today or self._today(self._clock())
        found = []
        for summary in self.store.summaries(open_only=True):
            request = self.get(summary.id)
            if request.paused_since is not None:
                continue
            for scope, due in (("request", request.due_date), ("state", request.state_due_date)):
                if due is not None and due < today:
                    late = self.calendar.working_days_between(due, today)
                    found.append(Overdue(request, due, late, scope))
                    if self._hooks is not None:
                        self._hooks.request_overdue(request=request, due=due, overdue_working_days=late)
        return found

    # ------------------------------------------------------------------ submitting

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
        definition = self.catalogue.service(service)
        gov, local_unit = self._locate(unit, governorate)
        if channel not in definition.channels:
            raise InvalidSubmission(
                f"{service} cannot be requested through channel {channel!r} (channels: {', '.join(definition.channels)})"
            )
        self._check_service_point(gov, local_unit, channel, service_point)
        applicant = self._valid_applicant(applicant)
        actor = actor or Citizen(applicant.national_id)
        role = self._intake_role(actor, channel, applicant, local_unit)
        normalised = validate_form(definition, form)
        attached = self._attach(definition, documents)

        fingerprint = self._fingerprint(service, local_unit.code, applicant, normalised, attached, channel)
        if idempotency_key is not None:
            existing = self._idempotent(idempotency_key, fingerprint)
            if existing is not None:
                return existing

        at = at or self._clock()
        today = self._today(at)
        workflow = self.workflows[definition.workflow]
        initial = workflow.state(workflow.definition.initial)
        assert initial is not None
        draft = Request(
            id="",
            governorate=gov.code,
            unit=local_unit.code,
            service=service,
            channel=channel,
            service_point=service_point,
            applicant=applicant,
            form=normalised,
            documents=attached,
            state=initial.code,
            version=0,
            submitted_at=at,
            due_date=self.calendar.add_working_days(today, definition.time_limit_days),
            state_due_date=self._state_due(initial.time_limit_days, today),
            paused_since=today if initial.clock == "paused" else None,
            duties={INTAKE: (actor.id,)},
            access_code=new_access_code(),
        )
        try:
            with self.store.transaction() as transaction:
                for upload, document in zip(documents, attached, strict=True):
                    transaction.put_document(document.sha256, upload.content, document.media_type)
                assignee = self._assignee(transaction, draft, initial.code, draft.duties)
                data = {
                    "channel": channel,
                    "service_point": service_point,
                    "service": service,
                    "applicant": attrs.asdict(applicant),
                    "form": normalised,
                    "documents": [attrs.asdict(d) for d in attached],
                    "due_date": draft.due_date.isoformat(),
                    "assigned_to": assignee,
                }
                unit_code = f"{gov.code}{local_unit.short_code}"
                sequence = transaction.next_sequence(unit_code, at.year)
                tracking = str(TrackingNumber.issue(unit_code, at.year, sequence))
                if idempotency_key is not None:
                    transaction.claim_idempotency_key(idempotency_key, fingerprint, tracking)
                event = self._event(tracking, 1, GENESIS(tracking), "submit", actor.id, role, None, initial.code, data, at)
                request = attrs.evolve(draft, id=tracking, assigned_to=assignee, head_hash=event.hash, event_count=1)
                transaction.insert_request(self._row(request))
                transaction.append_event(event)
                if request.assigned_to is not None:
                    transaction.adjust_workload({request.assigned_to: +1})
        except IdempotencyKeyReused:
            # A concurrent retry won the race for the key: return its request if it is the same one.
            existing = self._idempotent(idempotency_key or "", fingerprint)
            if existing is None:
                raise
            return existing
        self._announce(request, event)
        return request

    def _locate(self, unit: str, governorate: str | None) -> tuple[Governorate, LocalUnit]:
        candidates = [
            g for code, g in self.organisation.items() if (governorate is None or code == governorate) and unit in g.units
        ]
        if len(candidates) != 1:
            where = f" in governorate {governorate!r}" if governorate else ""
            reason = "is ambiguous: name the governorate" if candidates else "is not known"
            raise InvalidSubmission(f"local unit {unit!r}{where} {reason}")
        return candidates[0], candidates[0].units[unit]

    def _check_service_point(self, gov: Governorate, unit: LocalUnit, channel: str, point_code: str | None) -> None:
        kind = CHANNEL_POINTS.get(channel)
        if point_code is None:
            if kind is not None:
                raise InvalidSubmission(f"channel {channel!r} needs the service point where the request was received")
            return
        point = gov.service_points.get(point_code)
        if point is None or point.unit != unit.code:
            raise InvalidSubmission(f"service point {point_code!r} is not a service point of {unit.code!r}")
        if kind is not None and point.kind is not kind:
            raise InvalidSubmission(f"service point {point_code!r} is a {point.kind.value}, not where {channel!r} requests are taken")

    def _valid_applicant(self, applicant: Applicant) -> Applicant:
        problems: dict[str, str] = {}
        national_id = mobile = ""
        try:
            national_id = parse_national_id(applicant.national_id).number
        except (InvalidNationalId, TypeError, AttributeError) as error:
            problems["applicant.national_id"] = str(error)
        try:
            mobile = normalise_mobile(applicant.mobile)
        except InvalidMobileNumber as error:
            problems["applicant.mobile"] = str(error)
        name = " ".join(applicant.name.split()) if isinstance(applicant.name, str) else ""
        if not name or len(name) > 200:
            problems["applicant.name"] = "expected the applicant's full name"
        if problems:
            raise InvalidForm("applicant", problems)
        return Applicant(national_id=national_id, name=name, mobile=mobile)

    def _intake_role(self, actor: Actor, channel: str, applicant: Applicant, unit: LocalUnit) -> str:
        """The role the submitter acts in: the applicant on the portal, a clerk at a counter."""
        if isinstance(actor, Citizen):
            if actor.national_id != applicant.national_id:
                raise RoleNotAllowed("a citizen may submit only their own requests")
            if channel != "portal":
                raise RoleNotAllowed(f"a citizen submits on the portal; channel {channel!r} needs a clerk")
            return "applicant"
        if isinstance(actor, SystemActor):
            raise RoleNotAllowed("the system does not submit requests")
        clerk_role = {"front_desk": "front_desk_clerk", "mobile_unit": "mobile_clerk", "post_office": "post_clerk"}.get(channel)
        if clerk_role is None or clerk_role not in actor.roles:
            raise RoleNotAllowed(f"{actor.id} does not hold the role that takes {channel!r} requests ({clerk_role or 'none'})")
        if actor.unit != unit.code:
            raise RoleNotAllowed(f"{actor.id} works at {actor.unit!r}, not at {unit.code!r}")
        if actor.national_id is not None and actor.national_id == applicant.national_id:
            raise SeparationOfDuties(f"{actor.id} cannot receive their own request")
        return clerk_role

    def _attach(self, service: ServiceDefinition, uploads: Sequence[DocumentUpload]) -> tuple[AttachedDocument, ...]:
        requirements = {r.type: r for r in service.documents}
        attached = []
        for index, upload in enumerate(uploads):
            where = f"document {index + 1} ({upload.type!r})"
            requirement = requirements.get(upload.type)
            if requirement is None:
                raise InvalidDocument(f"{where}: {service.code} does not ask for this document (asks for: {', '.join(requirements)})")
            document_type = self.catalogue.document_types[upload.type]
            accepted = requirement.accepted_types or document_type.accepted_types
            if upload.media_type not in accepted:
                raise InvalidDocument(f"{where}: {upload.media_type!r} is not accepted (accepted: {', '.join(accepted)})")
            signature = MEDIA_TYPES.get(upload.media_type)
            if signature is not None and not upload.content.startswith(signature):
                raise InvalidDocument(f"{where}: the content is not a {upload.media_type} file")
            limit = requirement.max_size_mb or document_type.max_size_mb
            if len(upload.content) > limit * 1024 * 1024:
                raise InvalidDocument(f"{where}: {len(upload.content) / 1048576:.1f} MB is over the {limit:g} MB limit")
            attached.append(
                AttachedDocument(
                    type=upload.type,
                    sha256=hashlib.sha256(upload.content).hexdigest(),
                    size=len(upload.content),
                    media_type=upload.media_type,
                    filename=upload.filename,
                )
            )
        return tuple(attached)

    def _fingerprint(self, *parts: Any) -> str:
        return hashlib.sha256(json.dumps(parts, default=lambda o: attrs.asdict(o) if attrs.has(type(o)) else str(o), sort_keys=True).encode()).hexdigest()

    def _idempotent(self, key: str, fingerprint: str) -> Request | None:
        found = self.store.idempotent_request(key)
        if found is None:
            return None
        request_id, recorded = found
        if recorded != fingerprint:
            raise IdempotencyKeyReused(f"idempotency key {key!r} was already used for a different submission ({request_id})")
        return self.get(request_id)

    # ------------------------------------------------------------------ acting

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
        at = at or self._clock()
        comment = comment.strip() if isinstance(comment, str) and comment.strip() else None
        with self.store.transaction() as transaction:
            request = self._read(transaction, request_id, expected_version)
            service = self.catalogue.service(request.service)
            workflow = self.workflow_of(request)
            chosen = workflow.action(action)
            # The state comes first: an action the workflow cannot take now is refused as such,
            # whoever asks.
            if chosen not in workflow.allowed_actions(request.state):
                allowed = ", ".join(a.code for a in workflow.allowed_actions(request.state)) or "none"
                raise ActionNotAllowed(f"action {action!r} is not allowed in state {request.state!r} (allowed: {allowed})")
            role = self._authorise(request, chosen, actor, role)
            if chosen.requires_comment and comment is None:
                raise CommentRequired(f"action {action!r} needs a comment stating the reason")
            self._check_time(request, at)
            self._check_exemptions(chosen, actor, exemptions, service)
            attached = self._attach(service, documents)
            view = _GuardView(attrs.evolve(request, documents=request.documents + attached) if attached else request, service)
            for guard_name in chosen.guards:
                reason = self.guards[guard_name](view)
                if reason is not None:
                    raise GuardFailed(f"{action!r} cannot be taken: {reason.en} / {reason.ar}")
            target = workflow.fire(request.state, action, request.return_to)
            for upload, document in zip(documents, attached, strict=True):
                transaction.put_document(document.sha256, upload.content, document.media_type)
            changes, data = self._move(
                transaction, request, service, workflow, chosen, actor, target, comment, attached, at, exemptions
            )
            if service_point is not None:
                data["service_point"] = service_point
            steps = [(action, actor.id, role, target, data)]
            # Nothing to pay (every fee exempted, say): the system moves on at once, as a payment would.
            follow_up = self._system_step(transaction, request, changes, service, workflow, at)
            if follow_up is not None:
                changes, step = follow_up
                steps.append(step)
            current, events = self._commit(transaction, request, changes, steps, at)
        self._announce(current, events)
        return current

    def _read(self, transaction: Transaction, request_id: str, expected_version: int | None) -> Request:
        row = transaction.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        request = request_from_data(row.data)
        if expected_version is not None and expected_version != request.version:
            raise Conflict(f"{request_id} changed since you saw it (version {expected_version}, now {request.version}): reload it")
        return request

    def _check_exemptions(
        self, action: WorkflowAction, actor: Actor, exemptions: Sequence[GrantedExemption], service: ServiceDefinition
    ) -> None:
        if not exemptions:
            return
        if "assess_fees" not in action.effects:
            raise ActionNotAllowed(f"exemptions are granted with the fee assessment, not with {action.code!r}")
        charged = {fee.rule for fee in service.fees}
        for exemption in exemptions:
            if exemption.granted_by != actor.id:
                raise RoleNotAllowed(f"{actor.id} cannot record an exemption granted by {exemption.granted_by!r}")
            if exemption.rule not in charged:
                raise ActionNotAllowed(f"{service.code} charges no fee {exemption.rule!r} to exempt")

    def _check_time(self, request: Request, at: datetime.datetime) -> None:
        today = self._today(at)
        if today < self._today(request.submitted_at) or (request.paused_since is not None and today < request.paused_since):
            raise ActionNotAllowed(f"the action's date {today.isoformat()} is before the request's last change")

    def _authorise(self, request: Request, action: WorkflowAction, actor: Actor, role: str | None) -> str:
        """The role ``actor`` takes ``action`` in; refuse if none, or if a duty rule forbids it."""
        usable = [r for r in action.roles if r in actor.roles]
        if role is not None:
            if role not in actor.roles:
                raise RoleNotAllowed(f"{actor.id} does not hold role {role!r}")
            usable = [role] if role in action.roles else []
        if not usable:
            raise RoleNotAllowed(
                f"{action.code!r} is for {', '.join(action.roles)}; {actor.id} holds {', '.join(sorted(actor.roles)) or 'no role'}"
            )
        if isinstance(actor, Citizen) and actor.national_id != request.applicant.national_id:
            raise RoleNotAllowed("only the applicant may act as the applicant")
        if isinstance(actor, StaffMember):
            if actor.unit != request.unit:
                raise RoleNotAllowed(f"{actor.id} works at {actor.unit!r}; the request is at {request.unit!r}")
            if actor.national_id is not None and actor.national_id == request.applicant.national_id:
                raise SeparationOfDuties(f"{actor.id} is the applicant of {request.id} and may not act on it")
        workflow = self.workflow_of(request).definition
        if action.duty is not None:
            for rule in workflow.separation_of_duties:
                if action.duty in rule.forbids and actor.id in request.duties.get(rule.performed, ()):
                    raise SeparationOfDuties(
                        f"{actor.id} performed {rule.performed!r} on {request.id} and so may not perform "
                        f"{action.duty!r} on it (separation of duties)"
                    )
        if isinstance(actor, StaffMember) and request.assigned_to not in (None, actor.id):
            # The step is assigned to one employee; another employee in the same role may not
            # take it over, but someone in another role (an approver rejecting early) may act.
            assignee = self.staff.get(request.assigned_to)
            if assignee is not None and usable[0] in assignee.roles:
                raise NotAssigned(f"{request.id} is assigned to another employee")
        return usable[0]

    def _move(
        self,
        transaction: Transaction,
        request: Request,
        service: ServiceDefinition,
        workflow: CompiledWorkflow,
        action: WorkflowAction,
        actor: Actor,
        target: str,
        comment: str | None,
        attached: tuple[AttachedDocument, ...],
        at: datetime.datetime,
        exemptions: Sequence[GrantedExemption] = (),
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """What changes in the request when ``action`` reaches ``target`` (its attributes' new
        values), and the event data that records it."""
        today = self._today(at)
        state = workflow.state(target)
        assert state is not None
        data: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        due_date, paused_since = request.due_date, request.paused_since
        if paused_since is not None and state.clock != "paused":
            # The clock stood still while the applicant or the payment was awaited.
            paused = self.calendar.working_days_between(paused_since, today)
            due_date = self.calendar.add_working_days(due_date, paused) if paused else due_date
            paused_since = None
        elif paused_since is None and state.clock == "paused":
            paused_since = today
        if due_date != request.due_date:
            changes["due_date"] = due_date.isoformat()

        return_to, missing = request.return_to, request.missing
        if target in workflow.send_back_states:  # sent back to the applicant: remember where to come back to, and what is missing
            return_to, missing = request.state, comment
        elif action.dest == RETURN:
            return_to, missing = None, None

        duties = dict(request.duties)
        if action.duty is not None:
            duties[action.duty] = tuple(dict.fromkeys((*duties.get(action.duty, ()), actor.id)))
        invoice = request.invoice
        if "assess_fees" in action.effects:
            invoice = assess(service, self.catalogue, request.form, as_of=today, exemptions=exemptions)
            changes["invoice"] = {
                "lines": [{"rule": l.rule, "revenue_item": l.revenue_item, "amount": str(l.amount)} for l in invoice.lines],
                "total": str(invoice.total),
            }
            if exemptions:
                changes["exemptions"] = [
                    {"rule": e.rule, "percent": str(e.percent), "reason": {"ar": e.reason.ar, "en": e.reason.en},
                     "granted_by": e.granted_by, "reference": e.reference}
                    for e in exemptions
                ]
        issued = request.issued
        if state.issues and issued is None:
            # The number is drawn in the commit's own transaction, so a refused commit wastes none.
            validity = service.issues.validity
            issued = Issued(number="", issued_on=today, expires_on=validity.expiry(today) if validity else None)
            changes["issued"] = {"number": "", "issued_on": issued.issued_on.isoformat(),
                                 "expires_on": issued.expires_on.isoformat() if issued.expires_on else None}
        reason = comment if state.final and not state.issues else request.reason
        if attached:
            changes["documents"] = [attrs.asdict(d) for d in attached]
        assignee = None if state.final else self._assignee(transaction, request, target, duties)
        moved = {
            "state": target,
            "assigned_to": assignee,
            "documents": request.documents + attached,
            "due_date": due_date,
            "paused_since": paused_since,
            "state_due_date": self._state_due(state.time_limit_days, today),
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
        return moved, data

    def _main_action(self, workflow: CompiledWorkflow, state_code: str) -> tuple[WorkflowAction, frozenset[str]] | None:
        """A state's main step, for assignment: its first action that blind back-office roles take."""
        for action in workflow.allowed_actions(state_code):
            roles = frozenset(r for r in action.roles if r != "system" and not self.catalogue.roles[r].sees_applicant)
            if roles:
                return action, roles
        return None

    def _assignee(
        self, transaction: Transaction, request: Request, state_code: str, duties: Mapping[str, tuple[str, ...]]
    ) -> str | None:
        """Blind, load-balanced assignment: the eligible employee with the fewest open cases.

        The step's main action (the first the workflow lists from this state that back-office
        roles take) decides who is eligible; nobody is assigned while the request waits on the
        applicant or on a payment. ``duties`` are the request's duties once the current action
        is done (its performer may be barred from the next step).
        """
        workflow = self.workflow_of(request)
        state = workflow.state(state_code)
        if not self.staff or state is None or state.final or state.clock == "paused":
            return None
        main = self._main_actions.get((workflow.definition.code, state_code))
        if main is None:
            return None
        action, roles = main
        eligible = [
            member
            for member in self.staff.values()
            if member.unit == request.unit
            and roles & member.roles
            and (member.national_id is None or member.national_id != request.applicant.national_id)
            and not (
                action.duty is not None
                and any(
                    action.duty in rule.forbids and member.id in duties.get(rule.performed, ())
                    for rule in workflow.definition.separation_of_duties
                )
            )
        ]
        if not eligible:
            return None
        load = transaction.workload([m.id for m in eligible])
        return min(eligible, key=lambda m: (load.get(m.id, 0), m.id)).id

    # ------------------------------------------------------------------ payments

    def record_payment(
        self, request_id: str, *, amount: Decimal | str | int, provider: str, reference: str, at: datetime.datetime | None = None
    ) -> Request:
        """Record a confirmed payment; if it covers the invoice, move the request on as the system.

        A payment already recorded (same provider and reference) changes nothing.
        """
        paid_amount = _money(amount)
        at = at or self._clock()
        with self.store.transaction() as transaction:
            request = self._read(transaction, request_id, None)
            if any(p.provider == provider and p.reference == reference for p in request.payments):
                return request
            payment = Payment(provider=provider, reference=reference, amount=paid_amount, at=at.isoformat())
            changes: dict[str, Any] = {"payments": (*request.payments, payment)}
            steps: list[tuple[str, str, str, str, dict[str, Any]]] = [
                ("payment", SYSTEM.id, "system", request.state,
                 {"changes": {"payment": {"provider": provider, "reference": reference, "amount": str(paid_amount)}}})
            ]
            paid_up = request.balance_due() <= paid_amount
            follow_up = None if not paid_up else self._system_step(
                transaction, request, changes, self.catalogue.service(request.service), self.workflow_of(request), at
            )
            if follow_up is not None:
                changes, step = follow_up
                steps.append(step)
            current, events = self._commit(transaction, request, changes, steps, at)
        self._announce(current, events)
        return current

    def _system_step(
        self, transaction: Transaction, request: Request, changes: Mapping[str, Any], service: ServiceDefinition,
        workflow: CompiledWorkflow, at: datetime.datetime,
    ) -> tuple[dict[str, Any], tuple[str, str, str, str, dict[str, Any]]] | None:
        """The system's action once ``changes`` are made to ``request``, if one has all its
        guards met (a payment confirmed): the changes with the system's, and its step."""
        if changes.get("state", request.state) not in workflow.system_states:
            return None
        changed = attrs.evolve(request, **changes)
        if changed.invoice is None or changed.closed:
            return None
        view = _GuardView(changed, service)
        for action in workflow.allowed_actions(changed.state):
            if "system" in action.roles and action.guards and all(self.guards[g](view) is None for g in action.guards):
                target = workflow.fire(changed.state, action.code, changed.return_to)
                moved, data = self._move(transaction, changed, service, workflow, action, SYSTEM, target, None, (), at)
                return {**changes, **moved}, (action.code, SYSTEM.id, "system", target, data)
        return None

    # ------------------------------------------------------------------ persistence

    def _commit(
        self,
        transaction: Transaction,
        before: Request,
        changes: Mapping[str, Any],
        steps: Sequence[tuple[str, str, str, str, dict[str, Any]]],
        at: datetime.datetime,
    ) -> tuple[Request, list[EventRow]]:
        """Write the request with ``changes`` made and one event per step, if nobody changed it first."""
        issued = changes.get("issued")
        if issued is not None and not issued.number:
            changes = {**changes, "issued": self._number_issued(transaction, before, issued, steps)}
        events: list[EventRow] = []
        head, state = before.head_hash or GENESIS(before.id), before.state
        for action, actor_id, role, target, data in steps:
            event = self._event(before.id, before.event_count + len(events) + 1, head, action, actor_id, role, state, target, data, at)
            events.append(event)
            head, state = event.hash, target
        current = attrs.evolve(before, **changes, head_hash=head, event_count=events[-1].seq, version=before.version + 1)
        transaction.update_request(self._row(current), expected_version=before.version)
        for event in events:
            transaction.append_event(event)
        if current.assigned_to != before.assigned_to:
            counts = {before.assigned_to: -1, current.assigned_to: +1}
            transaction.adjust_workload({staff: change for staff, change in counts.items() if staff is not None})
        return current, events

    def _number_issued(
        self, transaction: Transaction, request: Request, issued: Issued,
        steps: Sequence[tuple[str, str, str, str, dict[str, Any]]],
    ) -> Issued:
        """Give what is being issued its number (``2026/ZTN/000123``), in the commit's transaction."""
        short = self.organisation[request.governorate].units[request.unit].short_code
        year = issued.issued_on.year
        sequence = transaction.next_sequence(f"{ISSUED_SCOPE}{request.governorate}{short}", year)
        number = f"{year}/{short}/{sequence:06d}"
        for *_, data in steps:
            issued_change = data.get("changes", {}).get("issued")
            if issued_change is not None:
                issued_change["number"] = number
        return attrs.evolve(issued, number=number)

    def _event(
        self, request_id: str, seq: int, prev_hash: str, action: str, actor: str, role: str,
        from_state: str | None, to_state: str, data: Mapping[str, Any], at: datetime.datetime,
    ) -> EventRow:
        """The event that records one step, chained to the event before it (``prev_hash``)."""
        timestamp = at.isoformat()
        digest = chain_hash(
            self._audit_key, request_id=request_id, at=timestamp, actor=actor, role=role, action=action,
            from_state=from_state, to_state=to_state, data=data, prev_hash=prev_hash,
        )
        return EventRow(request_id, seq, timestamp, actor, role, action, from_state, to_state, data, prev_hash, digest)

    def _row(self, request: Request) -> RequestRow:
        return RequestRow(
            id=request.id, governorate=request.governorate, unit=request.unit, service=request.service,
            state=request.state, version=request.version, closed=request.closed, assigned_to=request.assigned_to,
            due_date=request.due_date, submitted_at=request.submitted_at.isoformat(),
            updated_at=self._clock().isoformat(), head_hash=request.head_hash, event_count=request.event_count,
            data=request_to_data(request),
        )

    def _announce(self, request: Request, events: EventRow | Sequence[EventRow]) -> None:
        """Tell plugins, after the commit, about each event recorded."""
        # Asked each time, as plugins may register later; calling a hook nobody implements costs
        # more than asking.
        if self._hooks is None or not self._hooks.request_event.get_hookimpls():
            return
        for event in [events] if isinstance(events, EventRow) else events:
            self._hooks.request_event(request=request, event=event)

    def _today(self, at: datetime.datetime) -> datetime.date:
        return at.astimezone(self._timezone).date()

    def _state_due(self, days: int | None, today: datetime.date) -> datetime.date | None:
        return self.calendar.add_working_days(today, days) if days else None

    def requests(self, *, unit: str | None = None, open_only: bool = False) -> list[SummaryRow]:
        """Light summaries of stored requests (id, service, state, version...), for lists and reports."""
        return self.store.summaries(unit=unit, open_only=open_only)
