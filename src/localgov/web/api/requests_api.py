"""The localgov API under ``/api/v1``: the citizen's status and payment, and the back office's work.

The citizen is known by the request's access code (``X-Access-Code``, or ``access_code`` in the
query), through the same rate-limited check as the status page. An employee is known by their API
key and sees only their own unit's requests, as the engine shows them to that employee: blind
review hides the applicant from deciders. What an employee may do is the engine's decision.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from localgov.organisation import StaffMember
from localgov.requests import Applicant, UnknownRequest
from localgov.requests import Request as LocalgovRequest
from localgov.web.api.acting import act_once
from localgov.web.api.auth import required_staff
from localgov.web.api.bodies import UPLOAD_BODY, with_body
from localgov.web.api.convert import action_out, event_out, instruction_out, request_out, status_out
from localgov.web.api.payments_api import start_payment
from localgov.web.api.responses import problems
from localgov.web.api.submission import IdempotencyHeader, Submission, submit, submitted
from localgov.web.api.uploads import limits_for, read_upload
from localgov.web.api.wire import (
    ActIn,
    ActionOut,
    AppliedRequestOut,
    EventOut,
    PaymentIn,
    PaymentInstructionOut,
    RequestOut,
    StatusOut,
    SubmissionIn,
    SubmittedOut,
)
from localgov.web.context import WebContext
from localgov.web.problems import InvalidInput
from localgov.web.status import StatusRefused, citizen_status

__all__ = ["api_router"]

Number = Annotated[str, PathParameter(description="The tracking number (CZTN-2600001-3)", max_length=64)]
AccessCodeQuery = Annotated[str | None, QueryParameter(name="access_code", max_length=64)]
AccessCodeHeader = Annotated[
    str | None, HeaderParameter(name="X-Access-Code", max_length=64, description="The access code on the receipt")
]


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client is not None else "unknown"


def _own(context: WebContext, number: str, staff: StaffMember) -> LocalgovRequest:
    """The request, if it is one of the employee's unit's; the same 404 as for no request otherwise."""
    try:
        found = context.engine.get(number)
    except UnknownRequest:
        raise StatusRefused("no such request") from None
    if found.unit != staff.unit:
        raise StatusRefused("no such request")
    return found


# ------------------------------------------------------------------ the citizen


@get(
    "/requests/{number:str}/status",
    summary="The citizen's status of a request",
    description="Where it is, which department holds it, what is missing, when it is expected, what is due and "
    "how to pay. Needs the access code; a wrong one is answered as for a number that does not exist.",
    responses=problems(404, 429),
)
async def status(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    number: Number,
    access_code: AccessCodeQuery = None,
    x_access_code: AccessCodeHeader = None,
) -> StatusOut:
    # On the event loop, as the status page: two reads by primary key cost less than the hop to a
    # worker thread (docs/web.md, "Deploying").
    return status_out(citizen_status(context, number, x_access_code or access_code or "", _client(request)))


@post(
    "/requests/{number:str}/payments",
    summary="Pay what a request owes",
    description="A reference number to pay at the provider's outlets (or its payment page). The citizen gives the "
    "access code; a pending payment of the same provider and method is returned again, never doubled.",
    responses=problems(404, 409, 422, 429),
    status_code=201,
)
async def pay(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    number: Number,
    data: JSONBody[PaymentIn],
    access_code: AccessCodeQuery = None,
    x_access_code: AccessCodeHeader = None,
) -> PaymentInstructionOut:
    code, client = x_access_code or access_code or "", _client(request)
    await anyio.to_thread.run_sync(partial(citizen_status, context, number, code, client))
    created = await anyio.to_thread.run_sync(partial(start_payment, context, number, data))
    return instruction_out(
        created.provider, created.amount, created.reference_number, created.redirect_url, created.expires_at
    )


# ------------------------------------------------------------------ the back office


@post(
    "/requests",
    summary="Receive a request at a counter",
    description="An employee receives it at their counter (front_desk by default). The answer holds the access "
    "code for the receipt; a retry with the same Idempotency-Key returns the same request.",
    responses=problems(401, 403, 409, 422),
    status_code=201,
)
async def receive(
    context: NamedDependency[WebContext],
    staff: NamedDependency[StaffMember],
    data: JSONBody[SubmissionIn],
    idempotency_key: IdempotencyHeader = None,
) -> SubmittedOut:
    submission = Submission(
        service=data.service,
        unit=data.unit,
        applicant=Applicant(data.applicant.national_id, data.applicant.name, data.applicant.mobile),
        form=data.form,
        channel=data.channel,
        service_point=data.service_point,
        governorate=data.governorate,
    )
    created = await anyio.to_thread.run_sync(partial(submit, context, submission, staff, idempotency_key))
    return submitted(context, created)


@get(
    "/requests/{number:str}",
    summary="A request, as the employee may see it",
    responses=problems(401, 404),
    sync_to_thread=True,
)
def one(context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], number: Number) -> RequestOut:
    return request_out(context.engine.view(_own(context, number, staff), staff))


@get(
    "/requests/{number:str}/actions",
    summary="The actions this employee may take now",
    description="Roles and separation of duties are applied; a condition (a document, a payment) may still refuse.",
    responses=problems(401, 404),
    sync_to_thread=True,
)
def actions(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], number: Number
) -> list[ActionOut]:
    found = _own(context, number, staff)
    return [action_out(action) for action in context.engine.allowed_actions(found, staff)]


@get(
    "/requests/{number:str}/history",
    summary="The request's history, as the employee may see it",
    responses=problems(401, 404),
    sync_to_thread=True,
)
def history(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], number: Number
) -> list[EventOut]:
    _own(context, number, staff)
    return [event_out(event) for event in context.engine.history(number, staff)]


@post(
    "/requests/{number:str}/actions",
    summary="Take an action",
    description="`expected_version` is the version decided on: a request changed since is refused with 409. With an "
    "Idempotency-Key, a retry of an action that went through answers as the first call did (replayed: true).",
    responses=problems(401, 403, 404, 409, 422),
    status_code=200,
)
async def act(
    context: NamedDependency[WebContext],
    staff: NamedDependency[StaffMember],
    number: Number,
    data: JSONBody[ActIn],
    idempotency_key: IdempotencyHeader = None,
) -> AppliedRequestOut:
    await anyio.to_thread.run_sync(partial(_own, context, number, staff))
    after, replayed = await anyio.to_thread.run_sync(
        partial(act_once, context, number, data, staff, [], idempotency_key)
    )
    return AppliedRequestOut(request_out(context.engine.view(after, staff)), replayed)


@post(
    "/requests/{number:str}/documents",
    summary="Hand in documents with an action",
    description="multipart/form-data: the fields action and expected_version (comment, role), and a file part per "
    "document named by its type. Each part is checked against the service's limits as it arrives; a refused part "
    "stops the upload and nothing is stored.",
    operation_class=with_body(UPLOAD_BODY, "The action's fields and one file part per document"),
    responses=problems(401, 403, 404, 409, 413, 415, 422),
    status_code=200,
)
async def upload(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    staff: NamedDependency[StaffMember],
    number: Number,
    idempotency_key: IdempotencyHeader = None,
) -> AppliedRequestOut:
    found = await anyio.to_thread.run_sync(partial(_own, context, number, staff))
    catalogue = context.engine.catalogue
    form = await read_upload(request, limits_for(catalogue, catalogue.service(found.service, found.governorate)))
    if not form.documents:
        raise InvalidInput({"documents": "no file part: name each by its document type"}, status=422)
    order = _order(form.fields)
    after, replayed = await anyio.to_thread.run_sync(
        partial(act_once, context, number, order, staff, form.documents, idempotency_key)
    )
    return AppliedRequestOut(request_out(context.engine.view(after, staff)), replayed)


def _order(fields: dict[str, str]) -> ActIn:
    problems: dict[str, str] = {}
    action, version = fields.get("action", "").strip(), fields.get("expected_version", "").strip()
    if not action:
        problems["action"] = "مطلوب / required"
    if not version.isascii() or not version.isdigit() or len(version) > 9:
        problems["expected_version"] = "required: the version decided on, a whole number"
    if problems:
        raise InvalidInput(problems)
    return ActIn(
        action=action, expected_version=int(version), comment=fields.get("comment"), role=fields.get("role") or None
    )


def api_router() -> Router:
    return Router(
        "/api/v1",
        route_handlers=[status, pay, receive, one, actions, history, act, upload],
        dependencies={"staff": Provide(required_staff)},
        tags=["localgov"],
    )
