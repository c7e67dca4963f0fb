"""Files every page shares, under ``/assets``: the style sheet and the Arabic font.

The font is IBM Plex Sans Arabic from the package the PDFs use, served from this origin, so a
phone without an Arabic font of its own still shapes the pages correctly and the CSP can stay
``'self'``.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from localgov.documents.fonts import FAMILY
from localgov.web.context import WebContext

__all__ = ["ASSETS", "routers"]

ASSETS = "/assets"
STATIC = Path(__file__).parent / "static"


def routers(context: WebContext) -> list[Router]:
    font_folder = Path(fontpkg.path(FAMILY, 400)).parent
    return [
        create_static_files_router(
            ASSETS,
            directories=[STATIC, font_folder],
            name="assets",
            cache_control=CacheControlHeader(public=True, max_age=86400),
        )
    ]
