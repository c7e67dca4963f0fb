"""What localgov needs of the post office's counter system, and the payment code a clerk types in.

Egypt Post publishes no integration API, so the provider depends on this protocol only: a
deployment implements it against whatever Egypt Post agrees to expose (a web service, a queue, a
shared database), and :class:`~localgov_egypt_post.simulator.CounterSimulator` implements it in
process for tests and demos.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from enum import Enum
from typing import Protocol

import attrs

__all__ = [
    "CounterPayment",
    "CounterStatus",
    "CounterSystem",
    "Payable",
    "luhn_digit",
    "new_payment_code",
    "valid_payment_code",
]


class CounterStatus(str, Enum):
    """Where a payable stands at the counters."""

    OPEN = "OPEN"  # may be paid at any counter
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


@attrs.frozen
class Payable:
    """A fee localgov asks the counters to collect, under a payment code."""

    payment_code: str
    merchant_ref: str
    request_id: str
    amount: Decimal
    currency: str
    payer_name: str = attrs.field(repr=False)
    expires_at: datetime.datetime | None = None


@attrs.frozen
class CounterPayment:
    """A payable as the counter system reports it."""

    payable: Payable
    status: CounterStatus
    receipt: str | None = None  # the counter's receipt number, once paid
    office: str | None = None
    clerk: str | None = None
    paid_at: datetime.datetime | None = None
    refunded: Decimal = Decimal("0.00")


class CounterSystem(Protocol):
    """The post office's counter system, as the provider calls it.

    Refusals are :class:`localgov.payments.ProviderError` (with the counter system's code),
    :class:`localgov.payments.UnknownPayment` for a code or reference it does not know, and
    :class:`localgov.payments.ProviderUnavailable` when it cannot be reached.
    """

    def register(self, payable: Payable) -> None:
        """Make ``payable`` payable at every counter under its payment code."""
        ...

    def lookup(self, merchant_ref: str) -> CounterPayment:
        """The payable registered under localgov's ``merchant_ref``."""
        ...

    def refund(self, payment_code: str, amount: Decimal, reason: str | None) -> str:
        """Pay ``amount`` back at the counter; return the refund's receipt number."""
        ...

    def cancel(self, payment_code: str) -> None:
        """Withdraw an unpaid payable."""
        ...


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits``: a clerk's single mistyped digit or swapped pair is caught."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_payment_code() -> str:
    """Twelve digits, the last a Luhn check digit: typed by the clerk at the counter, read out by the citizen."""
    body = f"{secrets.randbelow(10**11):011d}"
    return body + luhn_digit(body)


def valid_payment_code(code: str) -> bool:
    return len(code) == 12 and code.isascii() and code.isdigit() and luhn_digit(code[:-1]) == code[-1]
