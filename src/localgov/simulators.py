"""What every payment provider simulator needs: a loopback HTTP server and notification delivery.

A simulator speaks its provider's real protocol on ``http://127.0.0.1:<port>`` and sends the
provider's notifications back to the merchant, over HTTP or straight to a function. The protocol
is each plugin's own; the plumbing is here. It is run-time code, not test code: ``localgov demo``
pays through the plugins' simulators, and tests drive them too.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs

__all__ = ["LoopbackServer", "NotificationCallback", "SimulatedNotification", "deliver_notification"]

# (body, headers) -> (HTTP status, response body): a merchant endpoint called without HTTP.
NotificationCallback = Callable[[bytes, Mapping[str, str]], tuple[int, bytes]]


@attrs.frozen
class SimulatedNotification:
    """A notification the simulator sent, and what the merchant answered (``None`` if not sent)."""

    body: bytes
    headers: Mapping[str, str]
    response_status: int | None = None
    response_body: bytes | None = None


def deliver_notification(
    body: bytes, headers: Mapping[str, str], *, url: str | None, callback: NotificationCallback | None
) -> SimulatedNotification:
    """Hand a notification to ``callback``, else POST it to ``url``, else only return it."""
    if callback is not None:
        return SimulatedNotification(body, headers, *callback(body, headers))
    if url is None:
        return SimulatedNotification(body, headers)
    request = urllib.request.Request(url, data=body, method="POST", headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return SimulatedNotification(body, headers, response.status, response.read())
    except urllib.error.HTTPError as error:
        return SimulatedNotification(body, headers, error.code, error.read())


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (a free port) answering in a background thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], name: str) -> None:
        self._handler, self._name = handler, name
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not running"
        return self._server.server_port

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = None
