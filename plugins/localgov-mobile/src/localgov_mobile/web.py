"""The mobile district's routes in ``localgov.web``, under ``/mobile``.

- ``POST /mobile/sync``: a tablet's outbox (:mod:`localgov_mobile.exchange`);
- ``GET /mobile/bundle/{unit}``: the unit's signed bundle;
- ``POST /mobile/enrol``: a device's certificate against a one-time code
  (:mod:`localgov_mobile.enrolment`), when the deployment gives an :class:`Enroller`;
- ``GET /mobile/app`` (``/mobile/app/index.html``) and its files: the reference browser client
  (an installable web app: manifest, service worker, IndexedDB outbox, WebCrypto device key),
  which imports the verification page's CBOR, COSE and X.509 scripts from ``/verify/static``.

Mount it beside the standard parts::

    from localgov.web import create_app, standard_parts
    from localgov_mobile.web import mobile_part

    app = create_app(localgov_app, engine, parts=[*standard_parts(), mobile_part(sync_server, enroller)])

Bodies are read as received, up to :data:`MAX_BODY` (and the web service's own limit); a
malformed request is answered 400 with the reason; the work runs in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial
from importlib import resources
from typing import Annotated, Any

import anyio.to_thread
from cryptography.hazmat.primitives import serialization
from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Redirect

from localgov.web.api.streams import read_limited
from localgov.web.context import WebContext
from localgov_mobile.enrolment import Enroller
from localgov_mobile.errors import EnrolmentError, WireError
from localgov_mobile.server import SyncServer

__all__ = ["APP_FILES", "MAX_BODY", "mobile_part", "mobile_router"]

MAX_BODY = 64 * 1024 * 1024
MEDIA_TYPE = "application/cbor"
_TEXT = "text/plain; charset=utf-8"
# The browser client's files, and what they are served as.
APP_FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "tablet.js": "text/javascript; charset=utf-8",
    "forms.js": "text/javascript; charset=utf-8",
    "fees.js": "text/javascript; charset=utf-8",
    "qrcodegen.js": "text/javascript; charset=utf-8",  # vendored: Project Nayuki's QR encoder (MIT)
    "store.js": "text/javascript; charset=utf-8",
    "cbor-encode.js": "text/javascript; charset=utf-8",
    "sw.js": "text/javascript; charset=utf-8",
    "manifest.webmanifest": "application/manifest+json",
    "app.css": "text/css; charset=utf-8",
    "root.der": "application/pkix-cert",  # the national root the app pins at its first visit
}
_NO_CACHE = {"Cache-Control": "no-cache"}


@cache
def _app_file(name: str) -> bytes:
    return (resources.files("localgov_mobile") / "browser" / name).read_bytes()


def mobile_router(server: SyncServer, enroller: Enroller | None = None) -> Router:
    @post("/sync", summary="A tablet's outbox, synced", status_code=200, media_type=MEDIA_TYPE)
    async def sync(request: Request[Any, Any, Any]) -> Response[bytes]:
        body = await read_limited(request, MAX_BODY)
        try:
            answer = await anyio.to_thread.run_sync(partial(server.handle, body))
        except WireError as error:
            return Response(str(error).encode(), status_code=400, media_type=_TEXT)
        return Response(answer, media_type=MEDIA_TYPE)

    @get("/bundle/{unit:str}", summary="The unit's signed bundle for its tablets", media_type="application/cose")
    async def bundle(
        unit: Annotated[str, PathParameter(description="The local unit's code (zeitoun)", max_length=64)],
    ) -> Response[bytes]:
        try:
            data = await anyio.to_thread.run_sync(partial(server.signed_bundle, unit))
        except EnrolmentError as error:
            raise NotFoundException(detail=str(error)) from None
        return Response(data, media_type="application/cose")

    @post("/enrol", summary="A device's certificate, against a one-time code", status_code=200, media_type=MEDIA_TYPE)
    async def enrol(request: Request[Any, Any, Any]) -> Response[bytes]:
        if enroller is None:
            raise NotFoundException(detail="this server does not enrol devices")
        body = await read_limited(request, 4096)
        try:
            answer = await anyio.to_thread.run_sync(partial(enroller.handle, body))
        except WireError as error:
            return Response(str(error).encode(), status_code=400, media_type=_TEXT)
        except EnrolmentError as error:
            return Response(str(error).encode(), status_code=403, media_type=_TEXT)
        return Response(answer, media_type=MEDIA_TYPE)

    @get("/app", include_in_schema=False)
    async def app_entry() -> Redirect:
        # The page's files are relative to it: it must be opened at a path ending in its name.
        return Redirect("app/index.html")

    @get("/app/{name:str}", include_in_schema=False)
    async def app_file(name: Annotated[str, PathParameter(max_length=40)]) -> Response[bytes]:
        media_type = APP_FILES.get(name)
        if media_type is None:
            raise NotFoundException(detail=f"no file {name!r} in the tablet app")
        if name == "root.der":
            content = server.root.public_bytes(serialization.Encoding.DER)
            return Response(content, media_type=media_type, headers=_NO_CACHE)
        return Response(_app_file(name), media_type=media_type, headers=_NO_CACHE)

    return Router("/mobile", route_handlers=[sync, bundle, enrol, app_entry, app_file], tags=["Mobile district"])


def mobile_part(server: SyncServer, enroller: Enroller | None = None) -> Callable[[WebContext], Sequence[Router]]:
    """A part for :func:`localgov.web.create_app`'s ``parts``."""

    def part(context: WebContext) -> Sequence[Router]:
        del context
        return [mobile_router(server, enroller)]

    return part
