"""Reading a request body with a limit of the operation's own, far below the service-wide one.

A form or a payment notification is a few kilobytes; the service-wide limit (``max_body``) is
sized for uploads. Reading stops at the first chunk past the limit, so an oversized body is
refused without being held in memory.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from localgov.web.problems import InvalidInput

__all__ = ["media_type", "read_limited"]


async def read_limited(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The body, or 413 naming it when it is (or announces itself as) longer than ``limit`` bytes."""
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request[Any, Any, Any]) -> str:
    """The body's media type, lower case, without parameters (``multipart/form-data``)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def _too_large(limit: int) -> InvalidInput:
    return InvalidInput(
        {"(body)": f"أكبر من المسموح / larger than the {limit} bytes this operation takes"},
        status=413,
        slug="too-large",
    )
