"""Reading the plugin's CBOR maps strictly: every value checked for its type and range, every
refusal naming the format and the key. Everything here comes from a tablet or over a network."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from localgov.tokens import cbor
from localgov.tokens.errors import TokenError
from localgov_mobile.errors import WireError

__all__ = ["MAX_NUMERIC_DATE", "WireMap", "decode_map", "numeric_date"]

T = TypeVar("T")
MAX_NUMERIC_DATE = 253402300800  # 9999-12-31, what datetime holds


def numeric_date(value: datetime) -> int:
    return int(value.timestamp())


def decode_map(data: bytes, kind: str, *, max_depth: int = 8) -> WireMap:
    """Decode ``data`` as a CBOR map whose key 1 is ``kind``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise WireError(f"{kind}: expected bytes")
    try:
        value = cbor.decode(bytes(data), max_depth=max_depth)
    except (cbor.CborError, TokenError, ValueError, RecursionError) as error:
        raise WireError(f"{kind}: not well-formed CBOR ({error})") from None
    if not isinstance(value, dict):
        raise WireError(f"{kind}: expected a CBOR map")
    if value.get(1) != kind:
        raise WireError(f"not a {kind} (key 1 is {str(value.get(1))[:40]!r})")
    return WireMap(kind, value)


class WireMap:
    """One decoded map and the name of its format, for messages."""

    def __init__(self, kind: str, value: dict[Any, Any]) -> None:
        self.kind, self.value = kind, value

    def fail(self, key: int, what: str) -> WireError:
        return WireError(f"{self.kind}: key {key} must be {what}")

    def get(self, key: int, check: Callable[[Any], bool], what: str, *, optional: bool = False) -> Any:
        if key not in self.value:
            if optional:
                return None
            raise WireError(f"{self.kind}: key {key} ({what}) is missing")
        value = self.value[key]
        if not check(value):
            raise self.fail(key, what)
        return value

    def integer(self, key: int, *, minimum: int = 0, maximum: int = 2**63 - 1, optional: bool = False) -> Any:
        return self.get(
            key, lambda v: type(v) is int and minimum <= v <= maximum, f"an integer >= {minimum}", optional=optional
        )

    def text(self, key: int, *, limit: int = 200, optional: bool = False) -> Any:
        return self.get(
            key,
            lambda v: isinstance(v, str) and 0 < len(v) <= limit,
            f"a text of 1 to {limit} characters",
            optional=optional,
        )

    def raw(self, key: int, *, limit: int, optional: bool = False) -> Any:
        return self.get(
            key,
            lambda v: isinstance(v, bytes) and 0 < len(v) <= limit,
            f"a byte string of 1 to {limit} bytes",
            optional=optional,
        )

    def moment(self, key: int) -> datetime:
        return datetime.fromtimestamp(self.integer(key, maximum=MAX_NUMERIC_DATE - 1), UTC)

    def texts(self, key: int, *, limit: int = 200, count: int = 1000) -> tuple[str, ...]:
        values = self.get(
            key,
            lambda v: (
                isinstance(v, list) and len(v) <= count and all(isinstance(t, str) and 0 < len(t) <= limit for t in v)
            ),
            f"a list of at most {count} texts",
        )
        return tuple(values)
