"""Payment providers' notifications: ``POST /payments/notify/{provider}``, for each provider the
deployment has, handed as raw bytes and headers to :func:`localgov.payments.handle_notification`.

The body is read as received (a signature covers its exact bytes), up to the payments package's
limit: a notification is a few kilobytes. The answer is the payments package's own: 200
acknowledges (the provider stops retrying), 400 and 403 refuse a malformed or forged message, 503
asks for a retry. Every message is recorded in the ledger, whatever its outcome.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Request, Response, Router, post
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import PathParameter

from localgov.payments import handle_notification
from localgov.payments.notifications import MAX_BODY
from localgov.web.api.bodies import NOTIFICATION_BODY, with_body
from localgov.web.api.responses import problems
from localgov.web.api.streams import read_limited
from localgov.web.context import WebContext

__all__ = ["NotificationAnswer", "notifications_router"]


class NotificationAnswer(msgspec.Struct, frozen=True):
    """What the provider is told: ``accepted`` or ``refused``, and the ledger's outcome."""

    status: str
    outcome: str


def _answer(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=NotificationAnswer, description=description, generate_examples=False)


def notifications_router(context: WebContext) -> Router:
    providers = context.localgov.payment_providers

    @post(
        "/notify/{provider:str}",
        summary="A payment provider's notification",
        description=f"Providers here: {', '.join(sorted(providers)) or 'none'}. The body is the provider's signed "
        f"message, at most {MAX_BODY} bytes.",
        operation_class=with_body(NOTIFICATION_BODY, "The provider's message, byte for byte as it signed it"),
        responses={
            **problems(404, 413),
            400: _answer("A malformed message (recorded in the ledger)"),
            403: _answer("A signature that does not verify (recorded in the ledger)"),
        },
        status_code=200,
    )
    async def notify(
        request: Request[Any, Any, Any],
        provider: Annotated[str, PathParameter(description="The provider's code (fawry, efinance)", max_length=64)],
    ) -> Response[NotificationAnswer]:
        chosen = providers.get(provider)
        if chosen is None:
            raise NotFoundException(detail=f"no payment provider {provider!r} here")
        body = await read_limited(request, MAX_BODY)
        # Title-Case names, as a WSGI server gives them: a provider may look a header up as it documents it.
        headers = {"-".join(p.capitalize() for p in name.split("-")): value for name, value in request.headers.items()}
        status, answer = await anyio.to_thread.run_sync(
            partial(handle_notification, context.engine, chosen, body, headers, ledger=context.ledger)
        )
        return Response(msgspec.json.decode(answer, type=NotificationAnswer), status_code=status)

    return Router("/payments", route_handlers=[notify], tags=["Payments"])
