"""The verification page's files: the static folder, the page and its service worker.

The Arabic font is the one every page uses (:func:`localgov.web.assets.font_files`), served here
too under ``/verify/static/fonts`` so the service worker keeps it with the page.

The service worker is a template: the server fills in the list of files it caches and a version
(a digest of those files), so a deployment that changes any of them installs a new worker, which
replaces the old cache instead of serving stale scripts forever.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import attrs

from localgov.web.assets import font_files

__all__ = ["FONT_PATH", "STATIC_DIR", "STATIC_PATH", "VerifierAssets", "load_assets"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
PAGE_PATH = "/verify"
STATIC_PATH = "/verify/static"
FONT_PATH = "/verify/static/fonts"
# Files of the static folder the page never loads (documentation of the vendored decoder).
_NOT_SERVED_TO_THE_PAGE = frozenset({"README.md", "jsQR.LICENSE"})


@attrs.frozen
class VerifierAssets:
    """The page and the service worker, ready to send."""

    page: bytes
    service_worker: bytes
    version: str


def _urls() -> list[str]:
    static = sorted(
        f"{STATIC_PATH}/{path.relative_to(STATIC_DIR).as_posix()}"
        for path in STATIC_DIR.rglob("*")
        if path.is_file() and path.name not in _NOT_SERVED_TO_THE_PAGE
    )
    return [PAGE_PATH, *static, *(f"{FONT_PATH}/{name}" for name in font_files())]


@cache
def load_assets() -> VerifierAssets:
    """Read the page and fill in the service worker (once per process: the files ship with the package)."""
    digest = hashlib.sha256()
    page = (HERE / "page.html").read_bytes()
    digest.update(page)
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(json.dumps(sorted(font_files())).encode())
    version = digest.hexdigest()[:16]
    worker = (HERE / "sw.js").read_text("utf-8")
    worker = worker.replace('"__VERSION__"', json.dumps(version)).replace('["__SHELL__"]', json.dumps(_urls()))
    return VerifierAssets(page, worker.encode(), version)
