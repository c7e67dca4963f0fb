"""Requests per client address and minute: the outermost guard of the web service.

A fixed window per address: the first request opens a window of ``window`` seconds, at most
``limit`` requests are answered in it, the rest get 429 with ``Retry-After`` until it closes.
Every answer carries the policy as the IETF RateLimit headers (``RateLimit-Policy: 3000; w=60``,
``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``), so a well-behaved portal can
slow down before it is refused.

It sits in front of everything, the kept status answers (:mod:`localgov.web.status_cache`)
included, so no path escapes it. It counts in the worker's memory: a client spread over N workers
gets N times the limit, which is what a limit against floods (not against guessing: access codes
have their own, shared, limit) can afford. Memory stays bounded: the addresses seen least recently
are forgotten first.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["RequestRateLimit"]

_PROBLEM = json.dumps(
    {
        "type": "urn:localgov:problem:too-many-requests",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too Many Requests",
    }
).encode()


class RequestRateLimit:
    """ASGI middleware: at most ``limit`` requests per client address in each ``window`` seconds."""

    def __init__(
        self,
        app: Any,
        limit: int,
        window: int = 60,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        if limit < 1 or window < 1:
            raise ValueError(f"a rate limit needs a limit >= 1 and a window >= 1 s, not {limit} in {window} s")
        self.app = app
        self.limit, self.window = limit, window
        self._clock, self._max_clients = clock, max_clients
        # address -> [end of its window, requests made in it]
        self._windows: OrderedDict[str, list[float]] = OrderedDict()
        self._policy = f"{limit}; w={window}".encode()
        self._limit_text = str(limit).encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        now = self._clock()
        window = self._count(address, now)
        made = int(window[1])
        reset = str(max(0, math.ceil(window[0] - now))).encode()
        policy = [
            (b"ratelimit-policy", self._policy),
            (b"ratelimit-limit", self._limit_text),
            (b"ratelimit-remaining", str(max(0, self.limit - made)).encode()),
            (b"ratelimit-reset", reset),
        ]
        if made > self.limit:
            headers = [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(_PROBLEM)).encode()),
                (b"retry-after", reset),
                *policy,
            ]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": _PROBLEM})
            return

        async def send_with_policy(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *policy]}
            await send(message)

        await self.app(scope, receive, send_with_policy)

    def _count(self, address: str, now: float) -> list[float]:
        # One event loop per worker: no await between reading and writing the window, no lock.
        windows = self._windows
        window = windows.get(address)
        if window is None or window[0] <= now:
            window = windows[address] = [now + self.window, 0]
            if len(windows) > self._max_clients:
                windows.popitem(last=False)
        windows.move_to_end(address)
        window[1] += 1
        return window
