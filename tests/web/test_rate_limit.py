"""Requests per client address and window, in front of the whole web service."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from localgov.web.rate_limit import RequestRateLimit


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _hello(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def _get(app: RequestRateLimit, address: str) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "client": (address, 40000)}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


def test_a_client_past_its_limit_waits_for_its_window_to_close() -> None:
    clock = _Clock()
    app = RequestRateLimit(_hello, 3, 60, clock=clock)
    answers = [_get(app, "10.0.0.1") for _ in range(4)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 429]
    assert [headers[b"ratelimit-remaining"] for _, headers, _ in answers] == [b"2", b"1", b"0", b"0"]
    _, headers, body = answers[-1]
    assert headers[b"retry-after"] == b"60" and headers[b"ratelimit-policy"] == b"3; w=60"
    assert json.loads(body)["type"] == "urn:localgov:problem:too-many-requests"
    assert _get(app, "10.0.0.2")[0] == 200, "another address has its own window"
    clock.now += 45
    assert _get(app, "10.0.0.1")[1][b"retry-after"] == b"15"
    clock.now += 15
    assert _get(app, "10.0.0.1")[0] == 200, "a new window"


def test_memory_is_bounded_by_forgetting_the_least_recent_addresses() -> None:
    app = RequestRateLimit(_hello, 1, 60, clock=_Clock(), max_clients=2)
    for address in ("a", "b", "a", "c"):
        _get(app, address)
    # "b" was seen least recently and is forgotten: it starts afresh; "a" is still counted.
    assert _get(app, "a")[0] == 429
    assert _get(app, "b")[0] == 200


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit >= 1"):
        RequestRateLimit(_hello, 0)
