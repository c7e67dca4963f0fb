"""The HTTP API: Open311 GeoReport v2 and the richer localgov API (being built)."""

from __future__ import annotations

from litestar import Router

from localgov.web.context import WebContext

__all__ = ["routers"]


def routers(context: WebContext) -> list[Router]:
    return []
