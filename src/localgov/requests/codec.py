"""Requests to and from JSON-ready data, for storage. Exact: money stays Decimal, dates stay dates.

Every decision reads a request's whole record and writes it back, so this is on the hot path of
the engine. msgspec reads and writes the attrs model directly (Decimal as its decimal string,
dates and times in ISO 8601) about three times faster than a generic converter, and reads
records written in the same shapes by earlier releases (timestamps with ``+00:00`` or ``Z``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from localgov.requests.model import Request

__all__ = ["request_from_data", "request_to_data"]


def request_to_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(request)
    return data


def request_from_data(data: Any) -> Request:
    return msgspec.convert(data, Request)
