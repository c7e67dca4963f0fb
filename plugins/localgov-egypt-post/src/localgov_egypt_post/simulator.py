"""The post office's counter system, in process: for tests and demos.

It keeps the payables localgov registers, lets a simulated clerk collect one (issuing a receipt
number and the signed confirmation the real system sends), pays refunds out, lets payables
expire, and writes each business day's signed batch file, exactly as the provider and the
reconciliation expect them. Faults can be put in on purpose: a confirmation that is never sent
is simply not delivered, and :meth:`CounterSimulator.daily_batch` can leave entries out or change
an amount, so the reconciliation's findings can be exercised.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable
from decimal import Decimal

import attrs

from localgov.clock import EGYPT, utcnow
from localgov.payments import ProviderError, Secret, UnknownPayment, dump_json, format_amount
from localgov_egypt_post import confirmation
from localgov_egypt_post.batch import Batch, BatchEntry, write_batch
from localgov_egypt_post.counter import CounterPayment, CounterStatus, Payable
from localgov_egypt_post.provider import CODE, EgyptPostProvider

__all__ = ["CounterSimulator", "DeliveredConfirmation"]


@attrs.frozen
class DeliveredConfirmation:
    body: bytes
    headers: dict[str, str]


class CounterSimulator:
    """Egypt Post's counters on one machine; implements :class:`~localgov_egypt_post.counter.CounterSystem`.

    :param key: the key shared with localgov (confirmations and batches are signed with it).
    :param clock: the counters' clock (a demo passes the scenario's).
    """

    def __init__(
        self, key: str = "egypt-post-simulator-key", *, clock: Callable[[], datetime.datetime] = utcnow
    ) -> None:
        self.key = Secret(key)
        self._clock = clock
        self._payments: dict[str, CounterPayment] = {}  # by payment code
        self._by_ref: dict[str, str] = {}
        self._entries: list[BatchEntry] = []
        self._receipts = itertools.count(1)
        self._sequence = itertools.count(1)

    def __repr__(self) -> str:
        return f"CounterSimulator({len(self._payments)} payables)"

    def provider(self) -> EgyptPostProvider:
        return EgyptPostProvider(self, self.key)

    # ---------------------------------------------------------------- CounterSystem

    def register(self, payable: Payable) -> None:
        if payable.merchant_ref in self._by_ref:
            raise ProviderError(CODE, "DUPLICATE", f"merchant reference {payable.merchant_ref!r} is registered already")
        self._payments[payable.payment_code] = CounterPayment(payable, CounterStatus.OPEN)
        self._by_ref[payable.merchant_ref] = payable.payment_code

    def lookup(self, merchant_ref: str) -> CounterPayment:
        code = self._by_ref.get(merchant_ref)
        if code is None:
            raise UnknownPayment(f"{CODE}: no payable {merchant_ref[:40]!r} at the counters")
        return self._current(code)

    def refund(self, payment_code: str, amount: Decimal, reason: str | None) -> str:
        found = self._get(payment_code)
        if found.status not in (CounterStatus.PAID, CounterStatus.PARTIALLY_REFUNDED):
            raise ProviderError(
                CODE, "NOT_PAID", f"payable {payment_code} is {found.status.value}: nothing to pay back"
            )
        left = found.payable.amount - found.refunded
        if not 0 < amount <= left:
            raise ProviderError(CODE, "REFUND_TOO_LARGE", f"at most {format_amount(left)} can be paid back")
        refunded = found.refunded + amount
        status = CounterStatus.REFUNDED if refunded == found.payable.amount else CounterStatus.PARTIALLY_REFUNDED
        self._payments[payment_code] = attrs.evolve(found, status=status, refunded=refunded)
        receipt = self._receipt()
        self._record(receipt, found.payable, "REFUND", amount, found.office or "counter", found.clerk or "counter")
        return receipt

    def cancel(self, payment_code: str) -> None:
        found = self._current(payment_code)
        if found.status is not CounterStatus.OPEN:
            raise ProviderError(
                CODE, "NOT_OPEN", f"payable {payment_code} is {found.status.value}: it cannot be cancelled"
            )
        self._payments[payment_code] = attrs.evolve(found, status=CounterStatus.CANCELLED)

    # ---------------------------------------------------------------- the counter clerk

    def collect(self, payment_code: str, *, office: str, clerk: str) -> DeliveredConfirmation:
        """A clerk at ``office`` collects the fee in cash: the receipt is issued, the confirmation signed."""
        found = self._current(payment_code)
        if found.status is not CounterStatus.OPEN:
            raise ProviderError(CODE, "NOT_OPEN", f"payable {payment_code} is {found.status.value}: it cannot be paid")
        receipt, at = self._receipt(), self._clock()
        self._payments[payment_code] = attrs.evolve(
            found, status=CounterStatus.PAID, receipt=receipt, office=office, clerk=clerk, paid_at=at
        )
        self._record(receipt, found.payable, "PAY", found.payable.amount, office, clerk)
        return self.confirmation(payment_code)

    def confirmation(self, payment_code: str) -> DeliveredConfirmation:
        """The confirmation of a paid payable, byte for byte as first sent (the counter's retry)."""
        found = self._get(payment_code)
        if found.receipt is None or found.paid_at is None:
            raise ProviderError(CODE, "NOT_PAID", f"payable {payment_code} has not been paid")
        payable = found.payable
        body = dump_json(
            {
                "receipt": found.receipt,
                "payment_code": payable.payment_code,
                "merchant_ref": payable.merchant_ref,
                "amount": payable.amount,
                "currency": payable.currency,
                "status": "PAID",
                "office": found.office,
                "clerk": found.clerk,
                "collected_at": found.paid_at.astimezone(EGYPT).isoformat(),
            }
        )
        return DeliveredConfirmation(body, {confirmation.SIGNATURE_HEADER: confirmation.sign(body, self.key)})

    def expire(self, payment_code: str) -> None:
        found = self._get(payment_code)
        if found.status is CounterStatus.OPEN:
            self._payments[payment_code] = attrs.evolve(found, status=CounterStatus.EXPIRED)

    # ---------------------------------------------------------------- the day's batch

    def daily_batch(
        self,
        day: datetime.date,
        *,
        leave_out: Iterable[str] = (),
        amounts: dict[str, Decimal] | None = None,
        extra: Iterable[BatchEntry] = (),
    ) -> bytes:
        """The signed batch of ``day`` (Cairo time).

        ``leave_out`` (merchant refs) and ``amounts`` (merchant ref -> amount) make a faulty batch,
        signed all the same, as a faulty counter system would; ``extra`` adds entries.
        """
        omitted, changed = set(leave_out), amounts or {}
        entries = [
            attrs.evolve(e, amount=changed.get(e.merchant_ref, e.amount))
            for e in self._entries
            if e.at.astimezone(EGYPT).date() == day and e.merchant_ref not in omitted
        ]
        return write_batch(Batch(day, next(self._sequence), (*entries, *extra)), self.key)

    # ---------------------------------------------------------------- internals

    def _get(self, payment_code: str) -> CounterPayment:
        found = self._payments.get(payment_code)
        if found is None:
            raise UnknownPayment(f"{CODE}: no payable with code {payment_code[:20]!r}")
        return found

    def _current(self, payment_code: str) -> CounterPayment:
        found = self._get(payment_code)
        expires = found.payable.expires_at
        if found.status is CounterStatus.OPEN and expires is not None and self._clock() >= expires:
            found = attrs.evolve(found, status=CounterStatus.EXPIRED)
            self._payments[payment_code] = found
        return found

    def _receipt(self) -> str:
        return f"PO{next(self._receipts):08d}"

    def _record(self, receipt: str, payable: Payable, kind: str, amount: Decimal, office: str, clerk: str) -> None:
        at = self._clock().astimezone(EGYPT)
        self._entries.append(
            BatchEntry(receipt, payable.payment_code, payable.merchant_ref, kind, amount, office, clerk, at)
        )
