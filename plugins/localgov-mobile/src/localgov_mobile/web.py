"""The sync route in ``localgov.web``: ``POST /mobile/sync`` and ``GET /mobile/bundle/{unit}``.

Mount it beside the standard parts::

    from localgov.web import create_app, standard_parts
    from localgov_mobile.web import mobile_part

    app = create_app(localgov_app, engine, parts=[*standard_parts(), mobile_part(sync_server)])

The body is read as received, up to :data:`MAX_BODY`; a malformed request is answered 400 with
the reason, and the work runs in a worker thread (it writes to the database).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

from localgov.web.api.streams import read_limited
from localgov.web.context import WebContext
from localgov_mobile.errors import EnrolmentError, WireError
from localgov_mobile.server import SyncServer

__all__ = ["MAX_BODY", "mobile_part", "mobile_router"]

MAX_BODY = 64 * 1024 * 1024
MEDIA_TYPE = "application/cbor"


def mobile_router(server: SyncServer) -> Router:
    @post("/sync", summary="A tablet's outbox, synced", status_code=200, media_type=MEDIA_TYPE)
    async def sync(request: Request[Any, Any, Any]) -> Response[bytes]:
        body = await read_limited(request, MAX_BODY)
        try:
            answer = await anyio.to_thread.run_sync(partial(server.handle, body))
        except WireError as error:
            return Response(str(error).encode(), status_code=400, media_type="text/plain; charset=utf-8")
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

    return Router("/mobile", route_handlers=[sync, bundle], tags=["Mobile district"])


def mobile_part(server: SyncServer) -> Callable[[WebContext], Sequence[Router]]:
    """A part for :func:`localgov.web.create_app`'s ``parts``."""

    def part(context: WebContext) -> Sequence[Router]:
        del context
        return [mobile_router(server)]

    return part
