"""Receiving a request: where it is received and by whom, the applicant, the form and documents, a
retried submission recognised by its idempotency key, and the first event of its history.

Everything that can be refused is refused before the transaction opens, so a refused submission
writes nothing and draws no tracking number.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from localgov.catalogue import Channel
from localgov.catalogue.checks import INTAKE
from localgov.identity import InvalidNationalId, parse_national_id
from localgov.organisation import Governorate, LocalUnit
from localgov.phone import InvalidMobileNumber, normalise_mobile
from localgov.requests.assignment import Assignment
from localgov.requests.context import EngineContext
from localgov.requests.errors import (
    IdempotencyKeyReused,
    InvalidForm,
    InvalidSubmission,
    RoleNotAllowed,
    SeparationOfDuties,
    UnknownRequest,
)
from localgov.requests.forms import validate_form
from localgov.requests.history import genesis_hash
from localgov.requests.model import Actor, Applicant, Citizen, Request, SystemActor
from localgov.requests.moves import Step
from localgov.requests.ports import Store
from localgov.requests.recording import Recorder
from localgov.requests.uploads import DocumentUpload, check_uploads
from localgov.tokens.receipt import new_access_code
from localgov.tracking import TrackingNumber

__all__ = ["Intake"]


class Intake:
    def __init__(self, context: EngineContext, store: Store, assignment: Assignment, recorder: Recorder) -> None:
        self._context = context
        self._store = store
        self._assignment = assignment
        self._recorder = recorder

    def submit(
        self,
        service: str,
        *,
        unit: str,
        applicant: Applicant,
        form: Mapping[str, Any],
        channel: str,
        actor: Actor | None,
        service_point: str | None,
        documents: Sequence[DocumentUpload],
        governorate: str | None,
        idempotency_key: str | None,
        at: datetime.datetime | None,
    ) -> Request:
        context = self._context
        context.catalogue.service(service)  # an unknown service is refused before an unknown unit
        gov, local_unit = self.locate(unit, governorate)
        # The governorate's own time limit, channels, documents and fees, where it overrides them.
        definition = context.catalogue.service(service, gov.code)
        if not definition.offered_in(gov.code):
            raise InvalidSubmission(
                f"{service} is not offered in governorate {gov.code!r}: it is a service of"
                f" {', '.join(definition.governorates)} only"
            )
        if channel not in definition.channels:
            raise InvalidSubmission(
                f"{service} cannot be requested through channel {channel!r} (channels: {', '.join(definition.channels)})"
            )
        # The catalogue's check keeps the two lists agreeing; a channel's own list is the last word.
        taken_by = context.catalogue.channels[channel]
        if not taken_by.takes(service):
            raise InvalidSubmission(
                f"channel {channel!r} does not take {service} (it takes {', '.join(taken_by.services)})"
            )
        self._check_service_point(gov, local_unit, taken_by, service_point)
        applicant = valid_applicant(applicant)
        actor = actor or Citizen(applicant.national_id)
        role = intake_role(actor, taken_by, applicant, local_unit)
        normalised = validate_form(definition, form)
        attached = check_uploads(context.catalogue, definition, documents)

        # Only a submission with an idempotency key is compared with an earlier one. The key is
        # claimed in the submission's own transaction and looked up only when the claim fails (a
        # retry, or a concurrent twin): a lookup before every keyed submission cost it a read of
        # its own, a third of its time, for the rare retry.
        fingerprint = ""
        if idempotency_key is not None:
            fingerprint = _fingerprint(service, local_unit.code, applicant, normalised, attached, channel)

        at = at or context.clock()
        today = context.today(at)
        workflow = context.workflows[definition.workflow]
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
            due_date=context.calendar.add_working_days(today, definition.time_limit_days),
            state_due_date=context.state_due(initial.time_limit_days, today),
            paused_since=today if initial.clock == "paused" else None,
            duties={INTAKE: (actor.id,)},
            access_code=new_access_code(),
        )
        try:
            with self._store.transaction() as transaction:
                for upload, document in zip(documents, attached, strict=True):
                    transaction.put_document(document.sha256, upload.content, document.media_type)
                assignee = self._assignment.assignee(transaction, draft, initial.code, draft.duties)
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
                step = Step("submit", actor.id, role, initial.code, data)
                event = self._recorder.event(tracking, 1, genesis_hash(tracking), step, None, at)
                request = attrs.evolve(draft, id=tracking, assigned_to=assignee, head_hash=event.hash, event_count=1)
                transaction.insert_request(self._recorder.row(request))
                transaction.append_event(event)
                if request.assigned_to is not None:
                    transaction.adjust_workload({request.assigned_to: +1})
                self._recorder.queue_notices(transaction, request, [event])
        except IdempotencyKeyReused:
            # The key was claimed before (a retry) or just now (a concurrent twin): nothing of this
            # attempt was written; return the request it made if it is the same submission.
            existing = self._idempotent(idempotency_key or "", fingerprint)
            if existing is None:
                raise
            return existing
        self._recorder.announce(request, [event])
        return request

    def locate(self, unit: str, governorate: str | None) -> tuple[Governorate, LocalUnit]:
        """The governorate and local unit a unit code names (the governorate when it is ambiguous)."""
        candidates = [
            g
            for code, g in self._context.organisation.items()
            if (governorate is None or code == governorate) and unit in g.units
        ]
        if len(candidates) != 1:
            where = f" in governorate {governorate!r}" if governorate else ""
            reason = "is ambiguous: name the governorate" if candidates else "is not known"
            raise InvalidSubmission(f"local unit {unit!r}{where} {reason}")
        return candidates[0], candidates[0].units[unit]

    def _check_service_point(self, gov: Governorate, unit: LocalUnit, channel: Channel, point_code: str | None) -> None:
        kind = channel.service_point
        if point_code is None:
            if kind is not None:
                raise InvalidSubmission(
                    f"channel {channel.code!r} needs the service point where the request was received"
                )
            return
        point = gov.service_points.get(point_code)
        if point is None or point.unit != unit.code:
            raise InvalidSubmission(f"service point {point_code!r} is not a service point of {unit.code!r}")
        if kind is not None and point.kind.value != kind:
            raise InvalidSubmission(
                f"service point {point_code!r} is a {point.kind.value}, not where {channel.code!r} requests are taken"
            )

    def _idempotent(self, key: str, fingerprint: str) -> Request | None:
        found = self._store.idempotent_request(key)
        if found is None:
            return None
        request_id, recorded = found
        if recorded != fingerprint:
            raise IdempotencyKeyReused(
                f"idempotency key {key!r} was already used for a different submission ({request_id})"
            )
        row = self._store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        return self._context.records.read(row)


def valid_applicant(applicant: Applicant) -> Applicant:
    """The applicant with their national ID checked, mobile normalised and name tidied; every
    problem reported at once by field."""
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


def intake_role(actor: Actor, channel: Channel, applicant: Applicant, unit: LocalUnit) -> str:
    """The role the submitter acts in: the applicant where they submit themself, else the channel's clerk."""
    clerk_role = channel.clerk_role
    if isinstance(actor, Citizen):
        if actor.national_id != applicant.national_id:
            raise RoleNotAllowed("a citizen may submit only their own requests")
        if clerk_role is not None:
            raise RoleNotAllowed(f"channel {channel.code!r} takes requests through a clerk ({clerk_role})")
        return "applicant"
    if isinstance(actor, SystemActor):
        raise RoleNotAllowed("the system does not submit requests")
    if clerk_role is None or clerk_role not in actor.roles:
        raise RoleNotAllowed(
            f"{actor.id} does not hold the role that takes {channel.code!r} requests ({clerk_role or 'none'})"
        )
    if actor.unit != unit.code:
        raise RoleNotAllowed(f"{actor.id} works at {actor.unit!r}, not at {unit.code!r}")
    if actor.national_id is not None and actor.national_id == applicant.national_id:
        raise SeparationOfDuties(f"{actor.id} cannot receive their own request")
    return clerk_role


def _fingerprint(*parts: Any) -> str:
    """What makes two submissions the same one, for idempotency keys."""
    encoded = json.dumps(parts, default=lambda o: attrs.asdict(o) if attrs.has(type(o)) else str(o), sort_keys=True)
    return hashlib.sha256(encoded.encode()).hexdigest()
