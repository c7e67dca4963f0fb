"""The verification page's routes under ``/verify``: the page, its service worker, the lists it caches.

The server verifies nothing here: it hands out the page, its scripts, the national root
certificate and the two signed lists, and the browser checks every signature itself. The lists
are read from disk at each request, so a deployment publishes a new edition by replacing the file.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.static_files import create_static_files_router

from localgov.web.assets import font_files
from localgov.web.context import WebContext
from localgov.web.verifier.assets import FONT_PATH, STATIC_DIR, STATIC_PATH, load_assets

__all__ = ["verifier_routers"]

# Everything the page fetches is revalidated: the service worker decides what is served offline.
_NO_CACHE = {"Cache-Control": "no-cache"}


def _file_or_404(path: Path | None, what: str, media_type: str) -> Response[bytes]:
    if path is None:
        raise NotFoundException(detail=f"this server has no {what} configured")
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundException(detail=f"the {what} file is missing on this server") from None
    return Response(content, media_type=media_type, headers=_NO_CACHE)


def verifier_routers(context: WebContext) -> list[Router]:
    settings = context.settings
    # The page asks the log only where a log key is published (the body says so: no 404 to probe).
    page_bytes = load_assets().page
    if settings.log_public_key is not None:
        page_bytes = page_bytes.replace(b"<body>", b'<body data-log-key="/verify/log.pub">', 1)

    @get("/", sync_to_thread=False, include_in_schema=False)
    def page() -> Response[bytes]:
        # ?t=TOKEN (a QR code holding a link) is read by the page's script, not here.
        return Response(page_bytes, media_type="text/html; charset=utf-8", headers=_NO_CACHE)

    @get("/sw.js", sync_to_thread=False, include_in_schema=False)
    def service_worker() -> Response[bytes]:
        # Its scope is /verify, which covers the page itself (/verify is not under /verify/).
        headers = {**_NO_CACHE, "Service-Worker-Allowed": "/verify"}
        return Response(load_assets().service_worker, media_type="text/javascript; charset=utf-8", headers=headers)

    @get("/trust-list.cose", sync_to_thread=True, include_in_schema=False)
    def trust_list() -> Response[bytes]:
        return _file_or_404(settings.trust_list, "trust list", "application/cose")

    @get("/revocations.cose", sync_to_thread=True, include_in_schema=False)
    def revocations() -> Response[bytes]:
        return _file_or_404(settings.revocations, "revocation list", "application/cose")

    @get("/root.pem", sync_to_thread=True, include_in_schema=False)
    def root_certificate() -> Response[bytes]:
        return _file_or_404(settings.root_certificate, "root certificate", "application/x-pem-file")

    @get("/log.pub", sync_to_thread=True, include_in_schema=False)
    def log_public_key() -> Response[bytes]:
        return _file_or_404(settings.log_public_key, "permit log key", "text/plain; charset=utf-8")

    @get(f"{FONT_PATH.removeprefix('/verify')}/{{name:str}}", sync_to_thread=True, include_in_schema=False)
    def font(name: FromPath[str]) -> Response[bytes]:
        path = font_files().get(name)
        if path is None:
            raise NotFoundException(detail=f"no font {name!r}")
        return Response(path.read_bytes(), media_type="font/ttf", headers=_NO_CACHE)

    pages = Router(
        "/verify",
        route_handlers=[page, service_worker, trust_list, revocations, root_certificate, log_public_key, font],
    )
    static = create_static_files_router(STATIC_PATH, [STATIC_DIR], name="verifier-static", include_in_schema=False)
    return [pages, static]
