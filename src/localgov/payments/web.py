"""Mounting notifications on a web server: a WSGI app, and a loopback server for tests and demos.

``POST {prefix}{provider code}`` (``/payments/notify/fawry``) is handed to
:func:`~localgov.payments.handle_notification`. Any WSGI server can run :func:`notification_app`;
:func:`serve_notifications` runs it on 127.0.0.1 in a thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from localgov.payments.ledger import PaymentLedger
from localgov.payments.notifications import MAX_BODY, handle_notification
from localgov.payments.protocol import PaymentProvider

__all__ = ["notification_app", "serve_notifications"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}


def notification_app(
    engine: Any,
    providers: Mapping[str, PaymentProvider],
    *,
    ledger: PaymentLedger | None = None,
    prefix: str = "/payments/notify/",
) -> WsgiApp:
    """A WSGI application receiving every provider's notifications under ``prefix``."""
    ledger = ledger or PaymentLedger.for_engine(engine)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def answer(status: int, body: bytes) -> list[bytes]:
            start_response(
                f"{status} {_REASONS.get(status, '')}",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]

        path = environ.get("PATH_INFO", "")
        provider = providers.get(path[len(prefix) :]) if path.startswith(prefix) else None
        if provider is None:
            return answer(404, b'{"status":"refused","outcome":"unknown_endpoint"}')
        if environ.get("REQUEST_METHOD") != "POST":
            return answer(405, b'{"status":"refused","outcome":"method"}')
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return answer(411, b'{"status":"refused","outcome":"length"}')
        if not 0 <= length <= MAX_BODY:
            return answer(413, b'{"status":"refused","outcome":"too_large"}')
        body = environ["wsgi.input"].read(length)
        headers = {
            key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        return answer(*handle_notification(engine, provider, body, headers, ledger=ledger))

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines would go to stderr; the ledger records what matters


@contextmanager
def serve_notifications(app: WsgiApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` on loopback in a background thread; yield its base URL (``http://127.0.0.1:PORT``)."""
    server: WSGIServer = make_server(host, port, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="localgov-notifications", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
