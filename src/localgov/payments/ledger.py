"""The payments ledger: every order, every notification (accepted or not) and every refund.

The tables are in :mod:`localgov.payments.ledger_schema` (:data:`payments_metadata`), created by
:func:`migrate_payments` (idempotent; call it at start-up after the core migration).
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa

from localgov.payments.ledger_schema import (
    PAYMENT_TABLES,
    migrate_payments,
    notifications,
    orders,
    payments_metadata,
    refunds,
)
from localgov.payments.model import (
    ChargeItem,
    CreatedPayment,
    PaymentMethod,
    PaymentOrder,
    PaymentStatus,
)
from localgov.storage.database import WRITE

__all__ = [
    "PAYMENT_TABLES",
    "NotificationRecord",
    "OrderRecord",
    "Outcome",
    "PaymentLedger",
    "RefundRecord",
    "migrate_payments",
    "payments_metadata",
    "timestamp",
]


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def timestamp(moment: datetime.datetime) -> str:
    """A moment as sortable UTC text."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _required_moment(text: str) -> datetime.datetime:
    """A NOT NULL timestamp column's moment."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


def _moment(text: str | None) -> datetime.datetime | None:
    return (
        None if text is None else datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)
    )


class Outcome:
    """What became of a notification; the ledger keeps one row per message received."""

    CREDITED = "credited"  # recorded on the request (which moved on if its balance was covered)
    DUPLICATE = "duplicate"  # the same event again (a retry or a replay): nothing done
    STATUS = "status"  # not a payment (expired, cancelled, refunded...): the order's status updated
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_REQUEST = "unknown_request"
    CLOSED_REQUEST = "closed_request"
    NOTHING_DUE = "nothing_due"  # the request owes nothing (paid already, by another payment)
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    RETRY = "retry"  # a concurrent change: the provider is asked to send it again

    ANOMALIES = frozenset(
        {
            BAD_SIGNATURE,
            MALFORMED,
            UNKNOWN_ORDER,
            UNKNOWN_REQUEST,
            CLOSED_REQUEST,
            NOTHING_DUE,
            AMOUNT_MISMATCH,
            CURRENCY_MISMATCH,
            DUPLICATE,
        }
    )
    # A message with one of these outcomes was handled: the same event again is a duplicate.
    HANDLED = frozenset(
        {
            CREDITED,
            STATUS,
            UNKNOWN_REQUEST,
            CLOSED_REQUEST,
            NOTHING_DUE,
            AMOUNT_MISMATCH,
            CURRENCY_MISMATCH,
            UNKNOWN_ORDER,
        }
    )


@attrs.frozen
class OrderRecord:
    """A payment order as the ledger keeps it."""

    merchant_ref: str
    request_id: str
    provider: str
    provider_ref: str
    method: PaymentMethod
    amount: Decimal
    currency: str
    status: PaymentStatus
    items: tuple[ChargeItem, ...]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    reference_number: str | None = None
    redirect_url: str | None = None
    expires_at: datetime.datetime | None = None
    credited_at: datetime.datetime | None = None
    refunded: Decimal = Decimal("0.00")


@attrs.frozen
class NotificationRecord:
    provider: str
    received_at: datetime.datetime
    outcome: str
    detail: str
    body_sha256: str
    key: str | None = None
    merchant_ref: str | None = None
    provider_ref: str | None = None
    request_id: str | None = None
    status: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


@attrs.frozen
class RefundRecord:
    merchant_ref: str
    provider: str
    amount: Decimal
    requested_by: str
    at: datetime.datetime
    reason: str | None = None
    refund_ref: str | None = None


def _order(row: Any) -> OrderRecord:
    return OrderRecord(
        merchant_ref=row.merchant_ref,
        request_id=row.request_id,
        provider=row.provider,
        provider_ref=row.provider_ref,
        method=PaymentMethod(row.method),
        amount=Decimal(row.amount),
        currency=row.currency,
        status=PaymentStatus(row.status),
        items=tuple(
            ChargeItem(i["code"], i["description"], Decimal(i["amount"]), int(i["quantity"])) for i in row.items
        ),
        created_at=_required_moment(row.created_at),
        updated_at=_required_moment(row.updated_at),
        reference_number=row.reference_number,
        redirect_url=row.redirect_url,
        expires_at=_moment(row.expires_at),
        credited_at=_moment(row.credited_at),
        refunded=Decimal(row.refunded),
    )


def _notification(row: Any) -> NotificationRecord:
    return NotificationRecord(
        provider=row.provider,
        received_at=_required_moment(row.received_at),
        outcome=row.outcome,
        detail=row.detail,
        body_sha256=row.body_sha256,
        key=row.key,
        merchant_ref=row.merchant_ref,
        provider_ref=row.provider_ref,
        request_id=row.request_id,
        status=row.status,
        amount=None if row.amount is None else Decimal(row.amount),
        currency=row.currency,
    )


_MIGRATED: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


class PaymentLedger:
    """Orders, notifications and refunds in the database ``engine`` (SQLAlchemy).

    >>> ledger = PaymentLedger.for_engine(localgov_engine)   # the lifecycle engine's own database
    """

    def __init__(self, engine: sa.Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate and engine not in _MIGRATED:
            migrate_payments(engine)
            _MIGRATED.add(engine)

    @classmethod
    def for_engine(cls, lifecycle_engine: Any) -> PaymentLedger:
        """The ledger in the same database as a :class:`~localgov.requests.engine.Engine`'s SQL store."""
        database = getattr(getattr(lifecycle_engine, "store", None), "engine", None)
        if not isinstance(database, sa.Engine):
            raise TypeError("the engine's store is not an SQL store: pass a PaymentLedger explicitly")
        return cls(database)

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection

    # ---------------------------------------------------------------- orders

    def add_order(self, order: PaymentOrder, created: CreatedPayment, at: datetime.datetime) -> OrderRecord:
        values = {
            "merchant_ref": created.merchant_ref,
            "request_id": order.request_id,
            "provider": created.provider,
            "provider_ref": created.provider_ref,
            "method": created.method.value,
            "amount": str(created.amount),
            "currency": created.currency,
            "status": created.status.value,
            "reference_number": created.reference_number,
            "redirect_url": created.redirect_url,
            "items": [
                {"code": i.code, "description": i.description, "amount": str(i.amount), "quantity": i.quantity}
                for i in order.items
            ],
            "created_at": timestamp(at),
            "updated_at": timestamp(at),
            "expires_at": timestamp(created.expires_at) if created.expires_at else None,
            "credited_at": None,
            "refunded": "0.00",
        }
        with self._writing() as connection:
            connection.execute(orders.insert().values(**values))
        found = self.order(created.merchant_ref)
        assert found is not None
        return found

    def order(self, merchant_ref: str) -> OrderRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(orders).where(orders.c.merchant_ref == merchant_ref)).first()
        return None if row is None else _order(row)

    def orders_of(self, request_id: str) -> list[OrderRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(orders).where(orders.c.request_id == request_id).order_by(orders.c.created_at)
            ).all()
        return [_order(r) for r in rows]

    def orders(
        self, *, provider: str | None = None, statuses: Sequence[PaymentStatus] | None = None
    ) -> list[OrderRecord]:
        query = sa.select(orders).order_by(orders.c.created_at)
        if provider is not None:
            query = query.where(orders.c.provider == provider)
        if statuses is not None:
            query = query.where(orders.c.status.in_([s.value for s in statuses]))
        with self.engine.connect() as connection:
            return [_order(r) for r in connection.execute(query).all()]

    def update_order(
        self,
        merchant_ref: str,
        at: datetime.datetime,
        *,
        status: PaymentStatus | None = None,
        credited: bool = False,
        refunded: Decimal | None = None,
    ) -> None:
        values: dict[str, Any] = {"updated_at": timestamp(at)}
        if status is not None:
            values["status"] = status.value
        if credited:
            values["credited_at"] = timestamp(at)
        if refunded is not None:
            values["refunded"] = str(refunded)
        with self._writing() as connection:
            connection.execute(orders.update().where(orders.c.merchant_ref == merchant_ref).values(**values))

    # ---------------------------------------------------------------- notifications

    def add_notification(self, record: NotificationRecord) -> None:
        values = attrs.asdict(record)
        values["received_at"] = timestamp(record.received_at)
        values["amount"] = None if record.amount is None else str(record.amount)
        values["detail"] = record.detail[:500]
        with self._writing() as connection:
            connection.execute(notifications.insert().values(**values))

    def handled(self, provider: str, key: str) -> bool:
        """Whether an event with this key was already handled (so this one is a retry or a replay)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(notifications.c.id)
                .where(
                    notifications.c.provider == provider,
                    notifications.c.key == key,
                    notifications.c.outcome.in_(sorted(Outcome.HANDLED)),
                )
                .limit(1)
            ).first()
        return row is not None

    def notifications(
        self, *, since: datetime.datetime | None = None, until: datetime.datetime | None = None
    ) -> list[NotificationRecord]:
        query = sa.select(notifications).order_by(notifications.c.id)
        if since is not None:
            query = query.where(notifications.c.received_at >= timestamp(since))
        if until is not None:
            query = query.where(notifications.c.received_at < timestamp(until))
        with self.engine.connect() as connection:
            return [_notification(r) for r in connection.execute(query).all()]

    # ---------------------------------------------------------------- refunds

    def add_refund(self, record: RefundRecord, order_refunded: Decimal, status: PaymentStatus) -> None:
        values = attrs.asdict(record)
        values["amount"] = str(record.amount)
        values["at"] = timestamp(record.at)
        with self._writing() as connection:
            connection.execute(refunds.insert().values(**values))
            connection.execute(
                orders.update()
                .where(orders.c.merchant_ref == record.merchant_ref)
                .values(refunded=str(order_refunded), status=status.value, updated_at=timestamp(record.at))
            )

    def refunds(
        self,
        *,
        merchant_ref: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
    ) -> list[RefundRecord]:
        query = sa.select(refunds).order_by(refunds.c.id)
        if merchant_ref is not None:
            query = query.where(refunds.c.merchant_ref == merchant_ref)
        if since is not None:
            query = query.where(refunds.c.at >= timestamp(since))
        if until is not None:
            query = query.where(refunds.c.at < timestamp(until))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            RefundRecord(
                r.merchant_ref,
                r.provider,
                Decimal(r.amount),
                r.requested_by,
                _required_moment(r.at),
                r.reason,
                r.refund_ref,
            )
            for r in rows
        ]
