"""Open311 GeoReport v2 under ``/open311/v2``: the services, submitting a request, following it.

Where localgov is stricter than the standard, it says so: a citizen never lists requests (only an
employee, for their own unit), and a single request is shown to the public only with its access
code; without it, the answer is the same 404 as for a number that does not exist. Each document
is JSON at ``.json`` and XML at ``.xml``.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio.to_thread
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import HeaderParameter, PathParameter, QueryParameter

from localgov.catalogue import Catalogue
from localgov.i18n import Language, LocalizedText
from localgov.organisation import StaffMember
from localgov.requests import RequestQuery, SummaryRow, UnknownRequest
from localgov.web.api.auth import optional_staff, required_staff, staff_for
from localgov.web.api.bodies import OPEN311_BODY, XML_OPERATION, with_body
from localgov.web.api.open311_input import parse_body
from localgov.web.api.open311_wire import (
    Open311Created,
    Open311Definition,
    Open311Request,
    Open311Service,
    definition,
    request_document,
    service_entry,
)
from localgov.web.api.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, encode_cursor, listing_window, page_query
from localgov.web.api.responses import problems
from localgov.web.api.streams import media_type, read_limited
from localgov.web.api.submission import IdempotencyHeader, submit, submitted
from localgov.web.api.xml import XML, xml_response
from localgov.web.context import WebContext
from localgov.web.problems import InvalidInput
from localgov.web.status import StatusRefused, citizen_status

__all__ = ["FORM_LIMIT", "open311_router"]

#: The largest Open311 submission body: the attributes of any service fit many times over.
FORM_LIMIT = 64 * 1024

Lang = Annotated[Literal["ar", "en"], QueryParameter(name="lang", description="ar (default) or en")]
Jurisdiction = Annotated[
    str | None,
    QueryParameter(
        name="jurisdiction_id",
        max_length=3,
        description="A governorate's code (C, KB): the services as it offers them (its own and the national"
        " ones, with its overrides); every service when not given",
    ),
]
AccessCodeQuery = Annotated[str | None, QueryParameter(name="access_code", max_length=64)]
AccessCodeHeader = Annotated[str | None, HeaderParameter(name="X-Access-Code", max_length=64)]
Document = Annotated[str, PathParameter(description="The code or number with its format: CODE.json or CODE.xml")]
Format = Literal["json", "xml"]


def _split(document: str) -> tuple[str, Format]:
    """``("CZTN-2600001-3", "json")`` from ``CZTN-2600001-3.json``; 404 for any other suffix."""
    stem, dot, suffix = document.rpartition(".")
    if not dot or suffix not in ("json", "xml") or not stem:
        raise NotFoundException(detail="no document here: ask for NAME.json or NAME.xml")
    return stem, "xml" if suffix == "xml" else "json"


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client is not None else "unknown"


def _catalogue(context: WebContext, jurisdiction: str | None) -> Catalogue:
    """The catalogue as the jurisdiction (a governorate code) offers it; every service without one."""
    catalogue = context.engine.catalogue
    if jurisdiction is None:
        return catalogue
    if jurisdiction not in context.localgov.organisation:
        known = ", ".join(sorted(context.localgov.organisation))
        raise InvalidInput({"jurisdiction_id": f"{jurisdiction!r} is not a governorate served here ({known})"})
    return catalogue.for_governorate(jurisdiction)


def _services(context: WebContext, language: Language, jurisdiction: str | None) -> list[Open311Service]:
    catalogue = _catalogue(context, jurisdiction)
    fallback = LocalizedText("أخرى", "Other")
    return [
        service_entry(service, getattr(catalogue.categories.get(service.category), "name", fallback), language)
        for service in catalogue.services.values()
    ]


@get("/services.json", summary="The services (Open311)", responses=problems(400), sync_to_thread=False)
def services_json(
    context: NamedDependency[WebContext], jurisdiction_id: Jurisdiction = None, lang: Lang = "ar"
) -> list[Open311Service]:
    return _services(context, lang, jurisdiction_id)


@get(
    "/services.xml",
    summary="The services (Open311, XML)",
    media_type=XML,
    responses=problems(400),
    sync_to_thread=False,
)
def services_xml(
    context: NamedDependency[WebContext], jurisdiction_id: Jurisdiction = None, lang: Lang = "ar"
) -> Response[bytes]:
    return xml_response(_services(context, lang, jurisdiction_id), "services")


@get(
    "/services/{document:str}",
    summary="A service's attributes (Open311)",
    responses=problems(400, 404),
    operation_class=XML_OPERATION,
    sync_to_thread=False,
)
def service_definition(
    context: NamedDependency[WebContext], document: Document, jurisdiction_id: Jurisdiction = None, lang: Lang = "ar"
) -> Response[Open311Definition]:
    code, fmt = _split(document)
    service = _catalogue(context, jurisdiction_id).services.get(code)
    if service is None:
        raise NotFoundException(detail=f"لا توجد خدمة بهذا الرمز / no service {code!r}")
    found = definition(service, lang)
    return xml_response(found, "service_definition") if fmt == "xml" else Response(found)  # type: ignore[return-value]


@post(
    ["/requests.json", "/requests.xml"],
    summary="Submit a request (Open311)",
    description="Without an API key the applicant submits on the portal; with one, an employee at their counter. "
    "The answer holds the access code: it is shown this once.",
    operation_class=with_body(OPEN311_BODY, "GeoReport v2 fields; localgov adds national_id, unit, name", xml="201"),
    responses=problems(401, 403, 409, 413, 415, 422),
    status_code=201,
)
async def create_request(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    caller: NamedDependency[StaffMember | None],
    idempotency_key: IdempotencyHeader = None,
) -> Response[list[Open311Created]]:
    body = await read_limited(request, FORM_LIMIT)
    submission, body_key = parse_body(body, media_type(request))
    if caller is None and body_key is not None:
        caller = staff_for(context, body_key)  # GeoReport clients send the key in the body
    created = await anyio.to_thread.run_sync(partial(submit, context, submission, caller, idempotency_key))
    receipt = submitted(context, created)
    answer = [
        Open311Created(
            service_request_id=created.id,
            service_notice="احتفظ برمز المتابعة / keep the access code: it is shown this once",
            account_id=None,
            access_code=receipt.access_code,
            receipt_url=receipt.receipt_url,
            status_url=receipt.status_url,
        )
    ]
    if request.url.path.endswith(".xml"):
        return xml_response(answer, "service_requests", status_code=201)  # type: ignore[return-value]
    return Response(answer, status_code=201)


def _document(context: WebContext, number: str, viewer: StaffMember | None, language: Language) -> Open311Request:
    engine = context.engine
    stored = engine.get(number)
    shown = engine.view(stored, viewer) if viewer is not None else stored
    service = engine.catalogue.service(stored.service, stored.governorate)
    state = engine.workflow_of(stored).definition.state(stored.state)
    department = engine.catalogue.departments.get(service.department)
    history = engine.history(number)
    return request_document(
        shown,
        service,
        state.name if state is not None else LocalizedText(stored.state, stored.state),
        department.name if department is not None else LocalizedText("", ""),
        history[-1].at if history else None,
        language,
    )


def _one_request(
    context: WebContext,
    document: str,
    caller: NamedDependency[StaffMember | None],
    access_code: str | None,
    client: str,
    language: Language,
) -> tuple[Open311Request, Format]:
    number, fmt = _split(document)
    if caller is not None:
        try:
            return _document(context, number, caller, language), fmt
        except UnknownRequest:
            raise StatusRefused("no such request") from None
    # The public: the access code first, counted by the limiter; only then is the request read.
    citizen_status(context, number, access_code or "", client)
    return _document(context, number, None, language), fmt


@get(
    "/requests/{document:str}",
    summary="One request (Open311)",
    description="The public must give the request's access code (access_code or X-Access-Code).",
    responses=problems(401, 404, 429),
    operation_class=XML_OPERATION,
    sync_to_thread=True,
)
def one_request(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    caller: NamedDependency[StaffMember | None],
    document: Document,
    access_code: AccessCodeQuery = None,
    x_access_code: AccessCodeHeader = None,
    lang: Lang = "ar",
) -> Response[list[Open311Request]]:
    found, fmt = _one_request(context, document, caller, x_access_code or access_code, _client(request), lang)
    if fmt == "xml":
        return xml_response([found], "service_requests")  # type: ignore[return-value]
    return Response([found])


def _page(
    context: WebContext, staff: StaffMember, query: RequestQuery, lang: Language
) -> tuple[list[SummaryRow], list[Open311Request]]:
    rows = context.engine.request_page(query)
    return rows, [_document(context, row.id, staff, lang) for row in rows]


@get(
    ["/requests.json", "/requests.xml"],
    summary="The caller's unit's requests, newest first, a page at a time (Open311, employees only)",
    description=(
        "GeoReport v2's filters (service_request_id, service_code, status, start_date, end_date; "
        "the past 90 days when neither date is given). A full page carries a Link header with "
        'rel="next" naming the next page (RFC 8288).'
    ),
    responses=problems(400, 401),
    operation_class=XML_OPERATION,
)
async def list_requests(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    staff: NamedDependency[StaffMember],
    service_request_id: Annotated[str | None, QueryParameter(name="service_request_id", max_length=2000)] = None,
    service_code: Annotated[str | None, QueryParameter(name="service_code", max_length=64)] = None,
    status: Annotated[Literal["open", "closed"] | None, QueryParameter(name="status")] = None,
    start_date: Annotated[str | None, QueryParameter(name="start_date", max_length=40)] = None,
    end_date: Annotated[str | None, QueryParameter(name="end_date", max_length=40)] = None,
    page_size: Annotated[int, QueryParameter(name="page_size", ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    page: Annotated[str | None, QueryParameter(name="page", max_length=400)] = None,
    lang: Lang = "ar",
) -> Response[list[Open311Request]]:
    ids = frozenset(i.strip() for i in service_request_id.split(",") if i.strip()) if service_request_id else None
    window = listing_window(start_date, end_date, now=context.engine.now())
    query = page_query(
        staff.unit,
        window,
        limit=page_size,
        cursor=page,
        service=service_code,
        closed=None if status is None else status == "closed",
        ids=ids,
    )
    # Async, reading in a worker thread: as a sync handler sharing its paths with the POST, Litestar 2.25
    # returned its un-awaited coroutine (a 500).
    rows, found = await anyio.to_thread.run_sync(partial(_page, context, staff, query, lang))
    headers = {}
    if len(rows) == page_size:
        following = {**request.query_params.dict(), "page": [encode_cursor(rows[-1].submitted_at, rows[-1].id)]}
        link = f"{request.url.path}?{urlencode([(k, v) for k, vs in following.items() for v in vs])}"
        headers["Link"] = f'<{link}>; rel="next"'
    if request.url.path.endswith(".xml"):
        return xml_response(found, "service_requests", headers=headers)  # type: ignore[return-value]
    return Response(found, headers=headers)


def open311_router() -> Router:
    return Router(
        "/open311/v2",
        route_handlers=[services_json, services_xml, service_definition, create_request, one_request, list_requests],
        dependencies={"staff": Provide(required_staff), "caller": Provide(optional_staff)},
        tags=["Open311 GeoReport v2"],
    )
