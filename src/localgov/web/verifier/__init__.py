"""The permit verification page, verifying in the browser (being built)."""

from __future__ import annotations

from litestar import Router

from localgov.web.context import WebContext

__all__ = ["routers"]


def routers(context: WebContext) -> list[Router]:
    return []
