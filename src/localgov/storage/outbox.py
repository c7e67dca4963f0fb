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

from collections.abc import Collection, Iterable, Sequence

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from localgov.storage import schema
from localgov.storage.database import WRITE

__all__ = ["ClaimedNotice", "NoticeRecord", "SqlOutbox"]

_notices, _parts, _opt_outs = schema.notices, schema.notice_parts, schema.opt_outs
_DUE_STATES = ("pending", "sending")


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


class SqlOutbox:
    """The outbox tables of a store's database (migrated with the core tables)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._postgresql = engine.dialect.name == "postgresql"

    def _writing(self) -> sa.Connection:
        return self.engine.connect().execution_options(**{WRITE: True})

    def claim(self, now: float, limit: int, lease_seconds: float) -> list[ClaimedNotice]:
        """Take up to ``limit`` due rows for ``lease_seconds``; oldest due first."""
        due = (
            sa.select(_notices.c.message_id)
            .where(_notices.c.state.in_(_DUE_STATES), _notices.c.next_attempt_at <= now)
            .order_by(_notices.c.next_attempt_at, _notices.c.created_at, _notices.c.message_id)
            .limit(limit)
        )
        if self._postgresql:
            due = due.with_for_update(skip_locked=True)
        with self._writing() as connection, connection.begin():
            ids = list(connection.execute(due).scalars())
            if not ids:
                return []
            connection.execute(
                _notices.update()
                .where(_notices.c.message_id.in_(ids))
                .values(state="sending", attempts=_notices.c.attempts + 1, next_attempt_at=now + lease_seconds)
            )
            opted_out = _opt_outs.c.phone.is_not(None) & _notices.c.required.is_(False)
            rows = connection.execute(
                sa.select(
                    _notices.c.message_id,
                    _notices.c.recipient,
                    _notices.c.text,
                    _notices.c.kind,
                    _notices.c.attempts,
                    opted_out.label("suppressed"),
                )
                .select_from(_notices.outerjoin(_opt_outs, _opt_outs.c.phone == _notices.c.recipient))
                .where(_notices.c.message_id.in_(ids))
                .order_by(_notices.c.next_attempt_at, _notices.c.created_at, _notices.c.message_id)
            ).all()
        return [ClaimedNotice(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def mark_sent(self, sent: Sequence[tuple[str, str, Sequence[str]]], at: str) -> None:
        """Record ``(message id, notifier, the gateway's ids of its parts)`` as sent, at once."""
        if not sent:
            return
        with self._writing() as connection, connection.begin():
            connection.execute(
                _notices.update()
                .where(_notices.c.message_id == sa.bindparam("m_id"), _notices.c.state == "sending")
                .values(state="sent", notifier=sa.bindparam("m_notifier"), sent_at=at, last_error=None),
                [{"m_id": message_id, "m_notifier": notifier} for message_id, notifier, _ in sent],
            )
            parts = [
                {"notifier": notifier, "provider_id": provider_id, "message_id": message_id, "status": "accepted"}
                for message_id, notifier, provider_ids in sent
                for provider_id in provider_ids
            ]
            if parts:
                insert = (postgresql.insert if self._postgresql else sqlite.insert)(_parts)
                connection.execute(insert.on_conflict_do_nothing(), parts)

    def reschedule(self, message_id: str, *, error: str, at: float, count_attempt: bool = True) -> None:
        """Send ``message_id`` again at ``at`` (after a temporary failure, or when throttled)."""
        values: dict[str, object] = {"state": "pending", "next_attempt_at": at, "last_error": error[:500]}
        if not count_attempt:
            values["attempts"] = _notices.c.attempts - 1
        self._set(message_id, values)

    def bury(self, message_id: str, *, error: str) -> None:
        """Give up on ``message_id``: the dead-letter state, with the reason, for a person to see."""
        self._set(message_id, {"state": "dead", "last_error": error[:500]})

    def suppress(self, message_ids: Collection[str]) -> None:
        """Leave these unsent: their recipients opted out of informational messages."""
        for message_id in message_ids:
            self._set(message_id, {"state": "suppressed"})

    def _set(self, message_id: str, values: dict[str, object]) -> None:
        with self._writing() as connection, connection.begin():
            connection.execute(_notices.update().where(_notices.c.message_id == message_id).values(**values))

    def record_receipts(self, receipts: Sequence[tuple[str, str, bool]], at: str) -> list[int]:
        """Apply delivery receipts ``(notifier, provider id, delivered)`` for parts, in one
        transaction; return the indices of those whose part is not known (not yet marked sent).

        A message is ``delivered`` once every part is; ``undelivered`` as soon as one part is not.
        """
        if not receipts:
            return []
        unknown, touched = [], set()
        with self._writing() as connection, connection.begin():
            for index, (notifier, provider_id, delivered) in enumerate(receipts):
                key = (_parts.c.notifier == notifier) & (_parts.c.provider_id == provider_id)
                message_id = connection.execute(
                    _parts.update()
                    .where(key)
                    .values(status="delivered" if delivered else "undelivered")
                    .returning(_parts.c.message_id)
                ).scalar()
                if message_id is None:
                    unknown.append(index)
                else:
                    touched.add(message_id)
            for message_id in sorted(touched):
                statuses = set(
                    connection.execute(sa.select(_parts.c.status).where(_parts.c.message_id == message_id)).scalars()
                )
                if "undelivered" in statuses:
                    connection.execute(
                        _notices.update().where(_notices.c.message_id == message_id).values(state="undelivered")
                    )
                elif statuses == {"delivered"}:
                    connection.execute(
                        _notices.update()
                        .where(_notices.c.message_id == message_id, _notices.c.state == "sent")
                        .values(state="delivered", delivered_at=at)
                    )
        return unknown

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
            query = query.where(_notices.c.request_id == request_id)
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
