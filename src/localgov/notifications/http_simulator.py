"""A loopback stand-in for an SMS aggregator's REST API, for tests and the demo.

It speaks :mod:`localgov.notifications.http_gateway`'s protocol on ``http://127.0.0.1:<port>``,
keeps every message it accepted, answers a repeated ``client_ref`` with the first id (so the
count is of messages, not attempts), can answer 429 to the next N sends, and hands a delivery
receipt for each accepted message to ``on_receipt``.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs

__all__ = ["HttpGatewaySimulator", "SimulatedSms"]


@attrs.frozen
class SimulatedSms:
    id: str
    sender: str
    to: str
    text: str
    client_ref: str


class HttpGatewaySimulator:
    def __init__(self, token: str = "simulator-token", *, on_receipt: Callable[[bytes], object] | None = None) -> None:
        self.token = token
        self.on_receipt = on_receipt
        self.messages: list[SimulatedSms] = []
        self.attempts = 0
        self._by_ref: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._throttle = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the simulator is not running"
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    def throttle_next(self, count: int) -> None:
        """Answer the next ``count`` sends with 429."""
        self._throttle = count

    def start(self) -> HttpGatewaySimulator:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                status, answer, headers = simulator._handle(
                    self.path, self.headers.get("Authorization", ""), self._body()
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                payload = json.dumps(answer).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _body(self) -> bytes:
                return self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 65536))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="http-sms-simulator", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, path: str, authorization: str, body: bytes) -> tuple[int, dict[str, str], dict[str, str]]:
        if path != "/v1/messages":
            return 404, {"error": "not found"}, {}
        if authorization != f"Bearer {self.token}":
            return 401, {"error": "bad token"}, {}
        try:
            data = json.loads(body)
            sender, to, text, ref = (data[k] for k in ("from", "to", "text", "client_ref"))
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "expected JSON with from, to, text, client_ref"}, {}
        if not all(isinstance(v, str) for v in (sender, to, text, ref)) or not to.startswith("+"):
            return 422, {"error": "to must be an E.164 number; every field a string"}, {}
        with self._lock:
            self.attempts += 1
            if self._throttle > 0:
                self._throttle -= 1
                return 429, {"error": "slow down"}, {"Retry-After": "0.05"}
            known = self._by_ref.get(ref)
            if known is not None:
                return 202, {"id": known}, {}
            message = SimulatedSms(f"hs-{next(self._ids)}", sender, to, text, ref)
            self._by_ref[ref] = message.id
            self.messages.append(message)
        if self.on_receipt is not None:
            self.on_receipt(json.dumps({"id": message.id, "status": "delivered"}).encode())
        return 202, {"id": message.id}, {}
