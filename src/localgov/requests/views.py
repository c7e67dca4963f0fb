"""Reading requests: as stored, as an actor may see them, as the citizen follows them, their history,
its audit, and which are overdue. Nothing here writes."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import orjson

from localgov.i18n import LocalizedText
from localgov.requests.authorisation import Authorisation
from localgov.requests.codec import RecordCodec, StoredRecord
from localgov.requests.context import EngineContext
from localgov.requests.errors import UnknownRequest
from localgov.requests.history import verify_chain
from localgov.requests.hooks import LifecycleHooks
from localgov.requests.model import Actor, Applicant, Event, Request
from localgov.requests.ports import EventRow, RequestRow, Store
from localgov.requests.recording import ISSUED_COUNTER_PREFIX
from localgov.requests.replay import record_differences
from localgov.tokens.receipt import check_access_code, new_access_code
from localgov.tracking import TrackingNumber

__all__ = ["Overdue", "StatusView", "Views"]


@attrs.frozen
class Overdue:
    """An open request past a time limit, and by how many working days."""

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
    #: The current step's code in the service's workflow.
    state_code: str = ""
    #: The department that holds the request now; None while it waits on the applicant (a missing
    #: document, a fee) or once it is closed. Never the employee.
    department: LocalizedText | None = None
    #: What the applicant still owes: the invoice less what was paid, when an invoice is open.
    fees_due: Decimal | None = None
    #: The permit, licence or statement number, once issued.
    issued_number: str | None = None


class Views:
    def __init__(
        self, context: EngineContext, store: Store, authorisation: Authorisation, hooks: LifecycleHooks | None
    ) -> None:
        self._context = context
        self._store = store
        self._authorisation = authorisation
        self._hooks = hooks

    def get(self, request_id: str) -> Request:
        row = self._store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        return self._context.records.read(row)

    def history(self, request_id: str, viewer: Actor | None = None) -> list[Event]:
        row = self._store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        blind = viewer is not None and not self._authorisation.sees_applicant(self._context.records.read(row), viewer)
        return [
            Event(
                request_id=e.request_id,
                seq=e.seq,
                at=datetime.datetime.fromisoformat(e.at),
                actor=e.actor,
                role=e.role,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                data={k: v for k, v in e.data.items() if k != "applicant"} if blind else e.data,
                prev_hash=e.prev_hash,
                hash=e.hash,
            )
            for e in self._store.events(request_id)
        ]

    def verify_history(self, request_id: str) -> list[str]:
        row = self._store.get_request(request_id)
        if row is None:
            raise UnknownRequest(request_id)
        return self._findings(row, self._store.events(request_id), {})

    def _findings(self, row: RequestRow, events: Sequence[EventRow], documents: dict[str, str | None]) -> list[str]:
        """Findings about one request. ``documents`` remembers, across the requests of one audit,
        each stored document's verdict: many requests attach the same bytes, checked once."""
        return verify_chain(self._context.audit_key, row, events) + self._record_findings(row, events, documents)

    def _record_findings(
        self, row: RequestRow, events: Sequence[EventRow], checked: dict[str, str | None]
    ) -> list[str]:
        """What is wrong with the stored record itself: its seal, its facts, its documents' bytes."""
        text = row.data.json if isinstance(row.data, StoredRecord) else orjson.dumps(row.data).decode("utf-8")
        _format, seal, body = RecordCodec.split(text)
        findings = []
        if seal is None:
            findings.append(
                "the stored record carries no seal: written outside localgov (or before records were sealed)"
            )
        elif not self._context.records.matches(body.encode("utf-8"), seal):
            findings.append("the stored record does not match its seal: changed outside localgov")
        try:
            record = orjson.loads(body)
        except orjson.JSONDecodeError:
            return [*findings, "the stored record is not JSON (edited)"]
        if not isinstance(record, dict):
            return [*findings, "the stored record does not have the shape of a request (edited)"]
        if record.get("id") != row.id:
            findings.append(f"the stored record is that of request {record.get('id')!r}, not of {row.id} (moved)")
        findings += record_differences(record, events)
        documents = record.get("documents")
        for document in documents if isinstance(documents, list) else ():
            if isinstance(document, dict):
                findings += self._document_findings(document, checked)
        return findings

    def _document_findings(self, document: Mapping[str, Any], checked: dict[str, str | None]) -> list[str]:
        digest, kind = document.get("sha256"), document.get("type")
        if not isinstance(digest, str):
            return [f"document {kind} ({digest}) is missing from the document store (deleted)"]
        if digest not in checked:
            content = self._store.get_document(digest)
            checked[digest] = (
                "missing" if content is None else None if hashlib.sha256(content).hexdigest() == digest else "replaced"
            )
        if checked[digest] == "missing":
            return [f"document {kind} ({digest}) is missing from the document store (deleted)"]
        if checked[digest] == "replaced":
            return [
                f"document {kind}: the stored bytes do not have the SHA-256 {digest} it was attached with (replaced)"
            ]
        return []

    def audit(self) -> dict[str, list[str]]:
        findings: dict[str, list[str]] = {}
        seen: dict[tuple[str, int], set[int]] = {}
        documents: dict[str, str | None] = {}
        issued: dict[tuple[str, int], set[int]] = {}
        for row, events in self._store.histories():
            request_id = row.id
            _issued_numbers(row.governorate, events, issued)
            problems = self._findings(row, events, documents)
            if problems:
                findings[request_id] = problems
            try:
                number = TrackingNumber.parse(request_id)
            except Exception:  # noqa: BLE001 - a malformed id is itself a finding
                findings.setdefault(request_id, []).append("the tracking number is not valid (edited)")
                continue
            seen.setdefault((number.unit_code, number.year), set()).add(number.sequence)
        # The counters know the last number handed out, so a deleted newest request shows too.
        for scope, year, last in self._store.sequences():
            if scope.startswith(ISSUED_COUNTER_PREFIX):
                for sequence in sorted(set(range(1, last + 1)) - issued.get((scope, year), set())):
                    short = scope.removeprefix(ISSUED_COUNTER_PREFIX)
                    findings.setdefault(f"{scope}/{year}/{sequence:06d}", []).append(
                        f"the document numbered {year}/…/{sequence:06d} of counter {short} was issued, but no "
                        "request's history holds it (its request deleted)"
                    )
                continue
            seen.setdefault((scope, year), set())
            for sequence in sorted(set(range(1, last + 1)) - seen[(scope, year)]):
                missing = str(TrackingNumber.issue(scope, year, sequence))
                findings[missing] = [
                    "request is missing: its tracking number was issued but the request is gone (deleted)"
                ]
        return findings

    def status(self, request_id: str, access_code: str) -> StatusView:
        row = self._store.get_request(request_id)
        request = self._context.records.read(row) if row is not None else None
        # Compare even when the request does not exist, so timing does not reveal which numbers do.
        expected = request.access_code if request is not None else new_access_code()
        if not check_access_code(access_code, expected) or request is None:
            raise UnknownRequest(request_id)
        workflow = self._context.workflow_of(request).definition
        timezone = self._context.timezone
        steps = tuple(
            (datetime.datetime.fromisoformat(e.at).astimezone(timezone).date(), workflow.state(e.to_state).name)  # type: ignore[union-attr]
            for e in self._store.events(request.id)
            if e.from_state != e.to_state
        )
        catalogue = self._context.catalogue
        service = catalogue.service(request.service, request.governorate)
        state = workflow.state(request.state)
        waiting_on_applicant = state is not None and state.clock == "paused"
        department = catalogue.departments.get(service.department)
        owed = request.balance_due()
        fees_due = owed if request.invoice is not None and owed > 0 else None
        return StatusView(
            tracking_number=request.id,
            service=service.name,
            state=state.name,  # type: ignore[union-attr]
            closed=request.closed,
            expected_date=request.due_date,
            missing=request.missing,
            steps=steps,
            state_code=request.state,
            department=None if request.closed or waiting_on_applicant or department is None else department.name,
            fees_due=fees_due,
            issued_number=request.issued.number if request.issued is not None else None,
        )

    def view(self, request: Request, actor: Actor) -> Request:
        if self._authorisation.sees_applicant(request, actor):
            return request
        hidden = Applicant(national_id="(hidden)", name="(hidden)", mobile="(hidden)")
        form = {k: v for k, v in request.form.items() if not self._authorisation.is_personal(request, k)}
        return attrs.evolve(request, applicant=hidden, form=form)

    def overdue(self, today: datetime.date | None = None) -> list[Overdue]:
        context = self._context
        today = today or context.today(context.clock())
        found = []
        for summary in self._store.summaries(open_only=True):
            request = self.get(summary.id)
            if request.paused_since is not None:
                continue
            for scope, due in (("request", request.due_date), ("state", request.state_due_date)):
                if due is not None and due < today:
                    late = context.calendar.working_days_between(due, today)
                    found.append(Overdue(request, due, late, scope))
                    if self._hooks is not None:
                        self._hooks.request_overdue(request=request, due=due, overdue_working_days=late)
        return found


def _issued_numbers(governorate: str, events: Sequence[EventRow], into: dict[tuple[str, int], set[int]]) -> None:
    """Add the numbers the history's issue events gave (``2026/ZTN/000123``) to their counters."""
    for event in events:
        changes = event.data.get("changes")
        issued = changes.get("issued") if isinstance(changes, Mapping) else None
        number = issued.get("number") if isinstance(issued, Mapping) else None
        year, _, rest = number.partition("/") if isinstance(number, str) else ("", "", "")
        short, _, sequence = rest.partition("/")
        if year.isdigit() and sequence.isdigit():
            into.setdefault((f"{ISSUED_COUNTER_PREFIX}{governorate}{short}", int(year)), set()).add(int(sequence))
