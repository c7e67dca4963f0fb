"""The verification page's routes under ``/verify``: the page, its service worker, the lists it caches.

The server verifies nothing here: it hands out the page, its scripts, the national root
certificate, the two signed lists and the revocation deltas published since, and the browser
checks every signature itself. The files are read from disk at each request, so a deployment
publishes a new edition by replacing a file, or a delta by adding one to the folder.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.static_files import create_static_files_router

from localgov.tokens import cbor
from localgov.tokens.revocation_chain import delta_chain
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
    # The page asks the log, and for revocation deltas, only where this server publishes them (the
    # body says so: no 404 to probe).
    published = []
    if settings.log_public_key is not None:
        published.append(b' data-log-key="/verify/log.pub"')
    if settings.revocation_deltas is not None:
        published.append(b' data-revocation-deltas="/verify/revocations/since/"')
    page_bytes = load_assets().page.replace(b"<body>", b"<body" + b"".join(published) + b">", 1)

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

    @get("/revocations/since/{sequence:int}", sync_to_thread=True, include_in_schema=False)
    def revocation_deltas(sequence: FromPath[int]) -> Response[bytes]:
        # A CBOR array of the signed deltas from list `sequence` to the newest; the page verifies each.
        folder = settings.revocation_deltas
        if folder is None:
            raise NotFoundException(detail="this server publishes no revocation deltas")
        files = (path.read_bytes() for path in sorted(folder.glob("*.cose")) if path.is_file())
        chain = delta_chain(files, sequence)
        if chain is None:
            raise NotFoundException(detail=f"no revocation deltas lead from list {sequence}: take the full list")
        return Response(cbor.encode(chain), media_type="application/cbor", headers=_NO_CACHE)

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
        route_handlers=[
            page,
            service_worker,
            trust_list,
            revocations,
            revocation_deltas,
            root_certificate,
            log_public_key,
            font,
        ],
    )
    static = create_static_files_router(STATIC_PATH, [STATIC_DIR], name="verifier-static", include_in_schema=False)
    return [pages, static]
