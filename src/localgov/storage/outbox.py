"""The notification outbox in SQL: what dispatchers claim, mark, retry, and what receipts update.

Rows arrive with the events they tell about (:meth:`localgov.storage.SqlTransaction.add_notice`).
A dispatcher *claims* due rows: it moves them to ``sending`` and pushes ``next_attempt_at`` to the
end of its lease, in a transaction of its own that commits before anything is sent. A dispatcher
that dies mid-send leaves its rows in ``sending``; when the lease ends they are due again and
another dispatcher claims them, with the same message ids. On PostgreSQL the claim reads with
``FOR UPDATE SKIP LOCKED``, so several dispatchers take disjoint rows without waiting on each
other; on SQLite the claim's ``BEGIN IMMEDIATE`` serialises them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from localgov.storage import schema
from localgov.storage.database import WRITE
from localgov.storage.prepared import PreparedStatement

__all__ = ["ClaimedNotice", "NoticeRecord", "SentMessage", "SqlOutbox"]

_notices, _parts, _opt_outs = schema.notices, schema.notice_parts, schema.opt_outs
T = TypeVar("T")
#: A message the gateway accepted: (message id, notifier code, the gateway's id of each part).
SentMessage = tuple[str, str, Sequence[str]]


@attrs.frozen
class ClaimedNotice:
    """A row a dispatcher holds until its lease ends: what to send, and whether it may."""

    message_id: str
    recipient: str
    text: str
    kind: str
    attempts: int
    #: The recipient opted out and the message is not one the law requires to be sent.
    suppressed: bool


@attrs.frozen
class NoticeRecord:
    """A row of the outbox as it stands."""

    message_id: str
    request_id: str
    kind: str
    recipient: str
    language: str
    text: str
    required: bool
    created_at: str
    state: str
    attempts: int
    next_attempt_at: float
    notifier: str | None
    last_error: str | None
    sent_at: str | None
    delivered_at: str | None


class _Statements:
    """The statements run once per message, compiled once and run on the driver's cursor
    (:mod:`localgov.storage.prepared`): a dispatcher runs them as fast as the gateway answers."""

    def __init__(self, dialect: sa.Dialect) -> None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        self.mark_sent = PreparedStatement(
            _notices.update()
            .where(_notices.c.message_id == sa.bindparam("m_id"), _notices.c.state == "sending")
            .values(state="sent", notifier=sa.bindparam("m_notifier"), sent_at=sa.bindparam("m_at"), last_error=None),
            dialect,
        )
        # A message sent and answered for every part before it was marked: its outcome at once.
        self.mark_final = PreparedStatement(
            _notices.update()
            .where(_notices.c.message_id == sa.bindparam("m_id"), _notices.c.state == "sending")
            .values(
                state=sa.bindparam("m_state"),
                notifier=sa.bindparam("m_notifier"),
                sent_at=sa.bindparam("m_at"),
                delivered_at=sa.bindparam("m_delivered_at"),
                last_error=None,
            ),
            dialect,
        )
        self.add_part = PreparedStatement(
            insert(_parts)
            .values({c.name: sa.bindparam(c.name) for c in _parts.columns})
            .on_conflict_do_nothing(index_elements=["notifier", "provider_id"]),
            dialect,
        )
        self._dialect = dialect
        self._claims: dict[int, PreparedStatement] = {}
        self._among: dict[tuple[str, int], PreparedStatement] = {}
        self.part_status = PreparedStatement(
            _parts.update()
            .where(_parts.c.notifier == sa.bindparam("r_notifier"), _parts.c.provider_id == sa.bindparam("r_id"))
            .values(status=sa.bindparam("r_status")),
            dialect,
        )

    def among(self, name: str, keys: Sequence[str]) -> tuple[PreparedStatement, dict[str, str]]:
        """Statement ``name`` for the keys ``k0, k1...`` (padded to a power of two with the last
        key, which an IN list ignores, so a handful of sizes are ever compiled) and its values."""
        size = max(8, 1 << (len(keys) - 1).bit_length())
        statement = self._among.get((name, size))
        if statement is None:
            listed = [sa.bindparam(f"k{index}", type_=sa.String) for index in range(size)]
            other = _parts.alias("other")
            mine = other.c.message_id == _notices.c.message_id
            built: sa.Executable
            if name == "lookup":
                built = sa.select(_parts.c.provider_id, _parts.c.message_id).where(
                    _parts.c.notifier == sa.bindparam("l_notifier"), _parts.c.provider_id.in_(listed)
                )
            elif name == "undelivered":
                built = (
                    _notices.update()
                    .where(_notices.c.message_id.in_(listed), sa.exists().where(mine, other.c.status == "undelivered"))
                    .values(state="undelivered")
                )
            else:
                built = (
                    _notices.update()
                    .where(
                        _notices.c.message_id.in_(listed),
                        _notices.c.state == "sent",
                        ~sa.exists().where(mine, other.c.status != "delivered"),
                    )
                    .values(state="delivered", delivered_at=sa.bindparam("d_at"))
                )
            statement = self._among[(name, size)] = PreparedStatement(built, self._dialect)
        values = {f"k{index}": keys[min(index, len(keys) - 1)] for index in range(size)}
        return statement, values

    def claim(self, limit: int) -> PreparedStatement:
        """Move up to ``limit`` due rows to ``sending`` until ``c_lease_end``, returning them."""
        statement = self._claims.get(limit)
        if statement is None:
            due = (
                sa.select(_notices.c.message_id)
                .where(
                    sa.text(schema.DUE_STATES_SQL),  # the partial index's own words, so it is used
                    _notices.c.next_attempt_at <= sa.bindparam("c_now", type_=sa.Float),
                )
                .order_by(_notices.c.next_attempt_at, _notices.c.created_at, _notices.c.message_id)
                .limit(sa.literal_column(str(int(limit))))
            )
            if self._dialect.name == "postgresql":
                # Rows another dispatcher is claiming are passed over, not waited for.
                due = due.with_for_update(skip_locked=True)
            opted_out = sa.exists().where(_opt_outs.c.phone == _notices.c.recipient)
            statement = PreparedStatement(
                _notices.update()
                .where(_notices.c.message_id.in_(due.scalar_subquery()))
                .values(
                    state="sending",
                    attempts=_notices.c.attempts + 1,
                    next_attempt_at=sa.bindparam("c_lease_end", type_=sa.Float),
                )
                .returning(
                    _notices.c.message_id,
                    _notices.c.recipient,
                    _notices.c.text,
                    _notices.c.kind,
                    _notices.c.attempts,
                    _notices.c.created_at,
                    _notices.c.required,
                    opted_out.label("opted_out"),
                ),
                self._dialect,
            )
            self._claims[limit] = statement
        return statement


class SqlOutbox:
    """The outbox tables of a store's database (migrated with the core tables)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._postgresql = engine.dialect.name == "postgresql"
        self._statements = _Statements(engine.dialect)

    def _writing(self) -> sa.Connection:
        return self.engine.connect().execution_options(**{WRITE: True})

    @contextmanager
    def _cursor(self, *, wait_for_disk: bool = True) -> Iterator[Any]:
        """The driver's cursor in a write transaction of its own.

        ``wait_for_disk=False`` commits without waiting for the log to reach the disk (SQLite
        ``synchronous=NORMAL`` for this transaction, PostgreSQL ``synchronous_commit=off``):
        after a power loss the transaction may be gone, the database still consistent. For the
        dispatcher's bookkeeping only (claims, marks, receipts), whose loss the outbox already
        survives: a claim or mark that is lost leaves the message due again under its id, sent
        again with the same client reference, which the SMSC counts once, as after a crash.
        A decision's own commit, and the messages it queues, still wait for the disk; in WAL
        mode, that flush also makes durable every earlier commit in the log.
        """
        with self._writing() as connection:
            relaxed = not wait_for_disk and not self._postgresql
            if relaxed:
                # Outside the transaction (SQLite refuses it inside), on this connection only,
                # and set back as it was before the connection returns to the pool.
                driver: Any = connection.connection.driver_connection
                (level,) = driver.execute("PRAGMA synchronous").fetchone()
                driver.execute("PRAGMA synchronous=NORMAL")
            try:
                with connection.begin():
                    cursor = connection.connection.cursor()
                    try:
                        if not wait_for_disk and self._postgresql:
                            cursor.execute("SET LOCAL synchronous_commit TO OFF")
                        yield cursor
                    finally:
                        cursor.close()
            finally:
                if relaxed:
                    driver.execute(f"PRAGMA synchronous={int(level)}")

    def claim(self, now: float, limit: int, lease_seconds: float) -> list[ClaimedNotice]:
        """Take up to ``limit`` due rows for ``lease_seconds``; oldest due first."""
        with self._cursor() as cursor:
            return self._claim(cursor, now, limit, lease_seconds)

    def mark_sent(self, sent: Sequence[SentMessage], at: str) -> None:
        """Record ``(message id, notifier, the gateway's ids of its parts)`` as sent, at once."""
        if sent:
            with self._cursor() as cursor:
                self._mark_sent(cursor, sent, at)

    def record_receipts(self, receipts: Sequence[tuple[str, str, bool]], at: str) -> list[int]:
        """Apply delivery receipts ``(notifier, provider id, delivered)`` for parts, in one
        transaction; return the indices of those whose part is not known (not yet marked sent).

        A message is ``delivered`` once every part is; ``undelivered`` as soon as one part is not.
        """
        if not receipts:
            return []
        with self._cursor() as cursor:
            return self._record_receipts(cursor, receipts, at)

    def settle_and_claim(
        self,
        sent: Sequence[SentMessage],
        receipts: Sequence[tuple[str, str, bool]],
        at: str,
        *,
        now: float,
        limit: int,
        lease_seconds: float,
    ) -> tuple[list[int], list[ClaimedNotice]]:
        """Mark the last batch sent, apply the receipts, claim the next batch: one transaction
        (one commit, one flush of the log to disk, instead of three). What :meth:`record_receipts`
        and :meth:`claim` return. Committed without waiting for the disk (see :meth:`_cursor`)."""
        with self._cursor(wait_for_disk=False) as cursor:
            answered, consumed = self._answered(sent, receipts)
            self._mark_final(cursor, answered, at)
            self._mark_sent(cursor, [message for message in sent if message[0] not in answered], at)
            kept = [index for index in range(len(receipts)) if index not in consumed]
            unknown = self._record_receipts(cursor, [receipts[i] for i in kept], at) if kept else []
            return [kept[i] for i in unknown], self._claim(cursor, now, limit, lease_seconds) if limit else []

    @staticmethod
    def _answered(
        sent: Sequence[SentMessage], receipts: Sequence[tuple[str, str, bool]]
    ) -> tuple[dict[str, tuple[str, list[tuple[str, bool]]]], set[int]]:
        """The messages of ``sent`` whose every part has its receipt among ``receipts``: message
        id -> (notifier, [(part id, delivered)]); and which receipts that uses.

        A fast gateway answers each part before the round that sent it is written: those messages
        are written with their outcome at once, instead of marked sent and then updated by their
        receipts (half the rows written, and no look-up of the parts).
        """
        where = {(notifier, part): index for index, (notifier, part, _) in enumerate(receipts)}
        answered: dict[str, tuple[str, list[tuple[str, bool]]]] = {}
        consumed: set[int] = set()
        for message_id, notifier, part_ids in sent:
            indices = [where.get((notifier, part)) for part in part_ids]
            if not part_ids or None in indices:
                continue
            answered[message_id] = (
                notifier,
                [(part, receipts[i][2]) for part, i in zip(part_ids, indices) if i is not None],
            )
            consumed.update(i for i in indices if i is not None)
        return answered, consumed

    def _mark_final(self, cursor: Any, answered: Mapping[str, tuple[str, list[tuple[str, bool]]]], at: str) -> None:
        if not answered:
            return
        self._statements.mark_final.send_many(
            cursor,
            [
                {
                    "m_id": message_id,
                    "m_notifier": notifier,
                    "m_at": at,
                    # As a receipt would: delivered once every part is, undelivered if one is not.
                    "m_state": "delivered" if all(done for _, done in parts) else "undelivered",
                    "m_delivered_at": at if all(done for _, done in parts) else None,
                }
                for message_id, (notifier, parts) in answered.items()
            ],
        )
        self._statements.add_part.send_many(
            cursor,
            [
                {
                    "notifier": notifier,
                    "provider_id": part,
                    "message_id": message_id,
                    "status": "delivered" if done else "undelivered",
                }
                for message_id, (notifier, parts) in answered.items()
                for part, done in parts
            ],
        )

    def _claim(self, cursor: Any, now: float, limit: int, lease_seconds: float) -> list[ClaimedNotice]:
        # One statement, UPDATE ... WHERE message_id IN (the due rows) RETURNING.
        rows = self._statements.claim(limit).rows(cursor, {"c_now": now, "c_lease_end": now + lease_seconds})
        rows.sort(key=lambda row: (row[5], row[0]))  # RETURNING keeps no order: as queued
        return [
            ClaimedNotice(message_id, recipient, text, kind, attempts, bool(opted_out) and not required)
            for message_id, recipient, text, kind, attempts, _, required, opted_out in rows
        ]

    def _mark_sent(self, cursor: Any, sent: Sequence[SentMessage], at: str) -> None:
        self._statements.mark_sent.send_many(
            cursor, [{"m_id": message_id, "m_notifier": notifier, "m_at": at} for message_id, notifier, _ in sent]
        )
        self._statements.add_part.send_many(
            cursor,
            [
                {"notifier": notifier, "provider_id": provider_id, "message_id": message_id, "status": "accepted"}
                for message_id, notifier, provider_ids in sent
                for provider_id in provider_ids
            ],
        )

    def reschedule(self, message_id: str, *, error: str, at: float, count_attempt: bool = True) -> None:
        """Send ``message_id`` again at ``at`` (after a temporary failure, or when throttled)."""
        values: dict[str, object] = {"state": "pending", "next_attempt_at": at, "last_error": error[:500]}
        if not count_attempt:
            values["attempts"] = _notices.c.attempts - 1
        self._set(message_id, values)

    def bury(self, message_id: str, *, error: str) -> None:
        """Give up on ``message_id``: the dead-letter state, with the reason, for a person to see."""
        self._set(message_id, {"state": "dead", "last_error": error[:500]})

    def requeue(self, message_id: str, *, at: float) -> bool:
        """Give a dead letter its attempts back and make it due at ``at`` (once its cause is
        fixed: a gateway account, a number); whether there was such a dead letter."""
        with self._writing() as connection, connection.begin():
            moved = connection.execute(
                _notices.update()
                .where(_notices.c.message_id == message_id, _notices.c.state == "dead")
                .values(state="pending", attempts=0, next_attempt_at=at)
            )
            return bool(moved.rowcount)

    def suppress(self, message_ids: Collection[str]) -> None:
        """Leave these unsent: their recipients opted out of informational messages."""
        for message_id in message_ids:
            self._set(message_id, {"state": "suppressed"})

    def _set(self, message_id: str, values: dict[str, object]) -> None:
        with self._writing() as connection, connection.begin():
            connection.execute(_notices.update().where(_notices.c.message_id == message_id).values(**values))

    def _record_receipts(self, cursor: Any, receipts: Sequence[tuple[str, str, bool]], at: str) -> list[int]:
        # Set-based, a chunk of receipts per statement: receipts come as fast as messages go.
        statements = self._statements
        found: dict[tuple[str, str], str] = {}
        by_notifier: dict[str, list[str]] = {}
        for notifier, provider_id, _ in receipts:
            by_notifier.setdefault(notifier, []).append(provider_id)
        for notifier, provider_ids in by_notifier.items():
            for chunk in _chunks(list(dict.fromkeys(provider_ids))):
                lookup, values = statements.among("lookup", chunk)
                values["l_notifier"] = notifier
                for provider_id, message_id in lookup.rows(cursor, values):
                    found[(notifier, provider_id)] = message_id
        known = [(n, p, d) for n, p, d in receipts if (n, p) in found]
        statements.part_status.send_many(
            cursor,
            [{"r_notifier": n, "r_id": p, "r_status": "delivered" if d else "undelivered"} for n, p, d in known],
        )
        for chunk in _chunks(sorted({found[(n, p)] for n, p, _ in known})):
            undelivered, values = statements.among("undelivered", chunk)
            undelivered.send(cursor, values)
            delivered, values = statements.among("delivered", chunk)
            delivered.send(cursor, {**values, "d_at": at})
        return [index for index, (n, p, _) in enumerate(receipts) if (n, p) not in found]

    def opt_out(self, phone: str, at: str) -> None:
        """Record that ``phone`` (E.164) wants no informational messages."""
        insert = (postgresql.insert if self._postgresql else sqlite.insert)(_opt_outs)
        with self._writing() as connection, connection.begin():
            connection.execute(insert.values(phone=phone, at=at).on_conflict_do_nothing())

    def opt_in(self, phone: str) -> None:
        with self._writing() as connection, connection.begin():
            connection.execute(_opt_outs.delete().where(_opt_outs.c.phone == phone))

    def opted_out(self, phone: str) -> bool:
        with self.engine.connect() as connection:
            return (
                connection.execute(sa.select(_opt_outs.c.phone).where(_opt_outs.c.phone == phone)).first() is not None
            )

    def notices(self, *, request_id: str | None = None, states: Iterable[str] = ()) -> list[NoticeRecord]:
        """Rows of the outbox, oldest first, of one request and in ``states`` if given."""
        query = sa.select(*(_notices.c[f.name] for f in attrs.fields(NoticeRecord)))
        if request_id is not None:
            # A request's messages are a range of the primary key ("<request id>/..."; "0"
            # follows "/"), which the database reads without an index of its own.
            query = query.where(
                _notices.c.message_id >= f"{request_id}/",
                _notices.c.message_id < f"{request_id}0",
                _notices.c.request_id == request_id,
            )
        wanted = list(states)
        if wanted:
            query = query.where(_notices.c.state.in_(wanted))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(_notices.c.created_at, _notices.c.message_id)).all()
        return [NoticeRecord(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(_notices.c.state, sa.func.count()).group_by(_notices.c.state))
            return {state: count for state, count in rows}


def _chunks(items: Sequence[T], size: int = 512) -> list[Sequence[T]]:
    """``items`` in slices of ``size``: an IN list stays well within every database's bound parameters."""
    return [items[start : start + size] for start in range(0, len(items), size)]
