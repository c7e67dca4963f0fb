"""The ASGI application: every part of the web service, assembled over one deployment's engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

import localgov
from localgov.app import Localgov
from localgov.correspondence import Correspondence
from localgov.requests import Engine
from localgov.storage import SqlStore
from localgov.storage.permit_log import SqlPermitLog
from localgov.web.context import WebContext
from localgov.web.problems import exception_handlers
from localgov.web.rate_limit import RequestRateLimit
from localgov.web.security import SecurityHeaders
from localgov.web.settings import WebSettings
from localgov.web.status_cache import StatusCache

__all__ = ["OPENAPI_PATH", "context_of", "create_app", "standard_parts"]

OPENAPI_PATH = "/openapi.json"

#: Each part of the service: a function from the context to its routers. Parts are imported when
#: the app is created, so ``import localgov.web`` stays cheap.
_PARTS: Sequence[str] = (
    "localgov.web.api",
    "localgov.web.pages",
    "localgov.web.verifier",
    "localgov.web.transparency",
)


def create_app(
    localgov_app: Localgov,
    engine: Engine,
    settings: WebSettings | None = None,
    *,
    parts: Iterable[Callable[[WebContext], Sequence[Router]]] | None = None,
    permit_log: SqlPermitLog | None = None,
    correspondence: Correspondence | None = None,
) -> Any:
    """The web service over ``engine``, as an ASGI application to run with uvicorn or mount elsewhere.

    ``parts`` replaces the standard set (API, Open311, pages, notifications), for an embedding
    system that wants only some of them, or adds a plugin's routes to it:
    ``parts=[*standard_parts(), mobile_part(server)]``. ``correspondence`` serves the letters
    between units (with the units' signing credentials, so that letters can be sent); by default
    those of the engine's database are served for reading.
    """
    context = WebContext(
        localgov=localgov_app,
        engine=engine,
        settings=settings or WebSettings(),
        permit_log=permit_log,
        letters=correspondence,
    )
    chosen = list(parts) if parts is not None else standard_parts()
    routers = [router for part in chosen for router in part(context)]
    app = Litestar(
        route_handlers=routers,
        dependencies={"context": Provide(lambda: context, use_cache=True, sync_to_thread=False)},
        exception_handlers=dict(exception_handlers),
        request_max_body_size=context.settings.max_body,
        openapi_config=OpenAPIConfig(
            title="localgov",
            version=localgov.__version__,
            description="One-window local-government services: Open311 GeoReport v2 and the localgov API.",
            path="/openapi",
            render_plugins=[],
        ),
        state=State({"localgov": context}),
    )
    return _outer_layers(SecurityHeaders(app), context)


def _outer_layers(app: Any, context: WebContext) -> Any:
    # The rate limit outermost, so that no answer escapes it, the kept status answers included.
    settings = context.settings
    store = context.engine.store
    if settings.status_answers_kept and isinstance(store, SqlStore):
        context.ledger  # noqa: B018 -- its tables, which the request's mark reads, exist from here on
        app = StatusCache(app, store, context.access_code_limiter, size=settings.status_answers_kept)
    if settings.requests_per_minute is not None:
        app = RequestRateLimit(app, settings.requests_per_minute)
    return app


def context_of(app: Any) -> WebContext:
    """The :class:`WebContext` of an application :func:`create_app` made (through its outer layers)."""
    layer = app
    while not isinstance(layer, Litestar):
        layer = layer.app
    context: WebContext = layer.state["localgov"]
    return context


def standard_parts() -> list[Callable[[WebContext], Sequence[Router]]]:
    """The parts ``create_app`` mounts when given none, to which a plugin's routes may be added."""
    import importlib

    return [importlib.import_module(name).routers for name in _PARTS]
