"""Files every page shares, under ``/assets``: the style sheet and the Arabic font.

The font is IBM Plex Sans Arabic from the package the PDFs use, served from this origin, so a
phone without an Arabic font of its own still shapes the pages correctly and the CSP can stay
``'self'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import fontpkg
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from localgov.documents.fonts import FAMILY
from localgov.web.context import WebContext

__all__ = ["ASSETS", "font_files", "routers"]

ASSETS = "/assets"
STATIC = Path(__file__).parent / "static"


#: The weights the pages' style sheets name, as the font package spells them in its file names.
_WEIGHTS = {"Regular": 400, "Bold": 700}


@cache
def font_files() -> Mapping[str, Path]:
    """File name -> path of the IBM Plex Sans Arabic files the pages use (the PDFs' font package)."""
    return {f"IBMPlexSansArabic-{name}.ttf": Path(fontpkg.path(FAMILY, weight)) for name, weight in _WEIGHTS.items()}


def routers(context: WebContext) -> list[Router]:
    font_folder = next(iter(font_files().values())).parent
    return [
        create_static_files_router(
            ASSETS,
            directories=[STATIC, font_folder],
            name="assets",
            cache_control=CacheControlHeader(public=True, max_age=86400),
        )
    ]
