"""The page behind the receipt QR: ``/track/{tracking number}?c={access code}``.

Arabic first, right to left, with English beneath each line; plain HTML and one style sheet, no
JavaScript, so it opens on any phone. Without the right access code it shows only the form: an
unknown number, a wrong code and a client out of tries all look alike, and the status code is the
same 404 for the first two.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import attrs
import jinja2
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from localgov.documents.formatting import Formatter
from localgov.i18n import LocalizedText
from localgov.web.context import WebContext
from localgov.web.status import CitizenStatus, StatusRefused, TooManyTries, citizen_status

__all__ = ["routers"]

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    auto_reload=False,  # templates are part of the package: no stat() of each file per page
)
_FORMAT = Formatter(digits="eastern")
_PORTAL = LocalizedText("بوابة الخدمات الحكومية المحلية", "Local government services")
_FOOTER = LocalizedText("لا تشارك رمز الاستعلام مع أحد", "Do not share your access code")
_TITLE_FORM = LocalizedText("متابعة طلب", "Follow a request")
_REFUSED = LocalizedText(
    "لم نجد طلبًا بهذا الرقم ورمز الاستعلام. راجع الإيصال وأعد المحاولة.",
    "No request matches this number and access code. Check the receipt and try again.",
)
_TOO_MANY = LocalizedText(
    "محاولات خاطئة كثيرة من هذا الجهاز. انتظر قليلًا ثم أعد المحاولة.",
    "Too many wrong tries from this device. Wait a while, then try again.",
)
_MAX_INPUT = 64


@attrs.frozen
class _Refusal:
    kind: str
    text: LocalizedText


def _page(request: Request[Any, Any, Any], template: str, status: int, **values: Any) -> Response[str]:
    # Links carry the path the app is mounted at (``root_path``), so it works under a prefix.
    root = str(request.scope.get("root_path", "")).rstrip("/")
    html = _TEMPLATES.get_template(template).render(portal=_PORTAL, footer=_FOOTER, root=root, **values)
    headers = {"Cache-Control": "no-store"}  # a status page must never be kept by a shared cache
    return Response(html, status_code=status, media_type="text/html", headers=headers)


def _form(
    request: Request[Any, Any, Any], number: str, refusal: _Refusal | None = None, status: int = 200
) -> Response[str]:
    return _page(request, "track_form.html", status, title=_TITLE_FORM, number=number[:_MAX_INPUT], refusal=refusal)


def _provider_name(context: WebContext, code: str) -> LocalizedText:
    provider = context.localgov.payment_providers.get(code)
    return provider.name if provider is not None else LocalizedText(code, code)


def _timestamp(value: datetime.datetime, context: WebContext) -> LocalizedText:
    return _FORMAT.date(value.astimezone(context.engine.timezone).date())


def _view_model(context: WebContext, status: CitizenStatus) -> dict[str, Any]:
    view = status.view
    due: Decimal | None = view.fees_due
    return {
        "tracking_number": view.tracking_number,
        "service": view.service,
        "state": view.state,
        "holder": status.holder,
        "missing": view.missing,
        "action_needed": bool(view.missing or due),
        "expected": None if view.closed else _FORMAT.date(view.expected_date),
        "issued_number": view.issued_number,
        "fees_due": _FORMAT.amount(due) if due is not None else None,
        "payments": [
            {
                "provider": _provider_name(context, p.provider),
                "reference_number": p.reference_number,
                "pay_url": p.pay_url if p.pay_url and p.pay_url.startswith("https://") else None,
                "expires": _expiry(_timestamp(p.expires_at, context)) if p.expires_at else None,
            }
            for p in status.payments
        ],
        "steps": [{"iso": day.isoformat(), "date": _FORMAT.date(day), "name": name} for day, name in view.steps],
    }


def _expiry(date: LocalizedText) -> LocalizedText:
    return LocalizedText(f"صالح حتى {date.ar}", f"valid until {date.en}")


def _show(context: WebContext, request: Request[Any, Any, Any], number: str, code: str) -> Response[str]:
    client = request.client.host if request.client else "unknown"
    try:
        status = citizen_status(context, number[:_MAX_INPUT], code[:_MAX_INPUT], client)
    except TooManyTries:
        return _form(request, number, _Refusal("refused", _TOO_MANY), 429)
    except StatusRefused:
        return _form(request, number, _Refusal("refused", _REFUSED), 404)
    title = LocalizedText(f"طلب {status.view.tracking_number}", f"Request {status.view.tracking_number}")
    return _page(request, "status.html", 200, title=title, s=_view_model(context, status))


# The two handlers run on the event loop, not in a thread: a status is two reads by primary key
# (about 0.1 ms), less than the hop to a worker thread and back (about 0.17 ms here). A worker
# serves one such read at a time; a deployment scales by workers (docs/web.md).
@get("/track", include_in_schema=False)
async def track_form(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    number: Annotated[str, QueryParameter(name="n")] = "",
    code: Annotated[str, QueryParameter(name="c")] = "",
) -> Response[str]:
    """The form asking for the request number and access code; with both, the status."""
    if number and code:
        return _show(context, request, number, code)
    return _form(request, number)


@get("/track/{number:str}", include_in_schema=False)
async def track(
    context: NamedDependency[WebContext],
    request: Request[Any, Any, Any],
    number: FromPath[str],
    code: Annotated[str, QueryParameter(name="c")] = "",
) -> Response[str]:
    """The receipt QR's page: the status with the right code, else only the form."""
    if not code:
        return _form(request, number)
    return _show(context, request, number, code)


def routers(context: WebContext) -> list[Router]:
    return [Router(path="/", route_handlers=[track_form, track])]
