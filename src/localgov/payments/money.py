"""Amounts as providers write them: exactly two decimals, from JSON numbers never held as floats."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from localgov.payments.errors import MalformedNotification, PaymentError

__all__ = ["CURRENCY", "PIASTRE", "dump_json", "format_amount", "parse_amount", "parse_json"]

CURRENCY = "EGP"
PIASTRE = Decimal("0.01")
# No single government fee comes near this; a larger figure in a message is an attack or a bug.
LIMIT = Decimal(10) ** 12


def format_amount(amount: Decimal) -> str:
    """``Decimal("450")`` -> ``"450.00"``: the form every signature string uses."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise PaymentError(f"an amount must be a finite Decimal, got {type(amount).__name__}")
    if amount < 0 or amount >= LIMIT or amount != amount.quantize(PIASTRE):
        raise PaymentError(f"an amount must be whole piastres from 0 to {LIMIT}, got {amount}")
    return f"{amount.quantize(PIASTRE):f}"


def parse_amount(value: Any, field: str) -> Decimal:
    """An amount from a parsed message (:func:`parse_json` keeps numbers as Decimal), in piastres."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise MalformedNotification(f"{field}: expected an amount, got {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise MalformedNotification(f"{field}: expected an amount, got {str(value)[:20]!r}") from None
    if not amount.is_finite() or amount < 0 or amount >= LIMIT or amount != amount.quantize(PIASTRE):
        raise MalformedNotification(f"{field}: expected whole piastres from 0 to {LIMIT}, got {str(value)[:20]!r}")
    return amount.quantize(PIASTRE)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(body: bytes, what: str = "message") -> Any:
    """Parse JSON keeping every number exact (Decimal), refusing NaN and Infinity."""
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MalformedNotification(f"the {what} is not JSON ({type(error).__name__})") from None


def dump_json(value: Any) -> bytes:
    """JSON with every Decimal written as the exact number it is (``450.00``), never via a float."""
    return _dump(value).encode("utf-8")


def _dump(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PaymentError("an amount in a message must be finite")
        return f"{value:f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    if isinstance(value, float):
        raise PaymentError("binary floats are not written into payment messages; use Decimal")
    return json.dumps(value, ensure_ascii=False)
