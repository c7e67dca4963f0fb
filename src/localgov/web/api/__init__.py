"""The HTTP API: Open311 GeoReport v2 (``/open311/v2``), the localgov API (``/api/v1``) and the payment
providers' notifications (``/payments/notify/{provider}``). See ``docs/web-api.md``.

Modules, one job each: :mod:`.auth` (who calls), :mod:`.open311` and :mod:`.requests_api` (the
operations), :mod:`.submission` and :mod:`.acting` (submitting and acting, retried POSTs included),
:mod:`.uploads` (streamed documents), :mod:`.reports_api` (reports for decision makers), :mod:`.letters_api`
(letters between units and their books), :mod:`.notifications`, :mod:`.wire` and :mod:`.open311_wire`
(what travels), :mod:`.attributes` and :mod:`.open311_input` (reading Open311 bodies), :mod:`.xml`.
"""

from __future__ import annotations

from litestar import Router

from localgov.web.api.letters_api import letters_router
from localgov.web.api.notifications import notifications_router
from localgov.web.api.open311 import open311_router
from localgov.web.api.reports_api import reports_router
from localgov.web.api.requests_api import api_router
from localgov.web.context import WebContext

__all__ = ["routers"]


def routers(context: WebContext) -> list[Router]:
    return [open311_router(), api_router(), reports_router(), letters_router(), notifications_router(context)]
