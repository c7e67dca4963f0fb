"""The citizen's pages: the status page behind the receipt QR, and the files pages share."""

from __future__ import annotations

from litestar import Router

from localgov.web import assets
from localgov.web.context import WebContext
from localgov.web.pages import status_page

__all__ = ["routers"]


def routers(context: WebContext) -> list[Router]:
    return [*status_page.routers(context), *assets.routers(context)]
