"""Keeping the report projection in step with the store and the ledger.

Chosen over counters kept by every decision: the engine's write path (its hottest code) stays as
it is, and a changed calendar or catalogue can be replayed over the untouched history. A refresh
finds the requests whose event count differs from the projected one, re-projects those alone
(their whole history, a few events each), in batches, and does the same for ledger orders whose
``updated_at`` moved. A request is read once when it changes, never once per report.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa

from localgov.calendar import WorkingCalendar
from localgov.clock import EGYPT, Clock, utcnow
from localgov.organisation import Governorate
from localgov.payments.ledger_schema import orders
from localgov.reports.meaning import Meanings
from localgov.reports.schema import meta, migrate_reports, report_requests, report_revenue, report_steps
from localgov.reports.workdays import WorkdayIndex, calendar_fingerprint
from localgov.storage import schema as store
from localgov.storage.database import WRITE

__all__ = ["Projector", "Refreshed", "utc_text"]

_BATCH = 500
# PostgreSQL advisory lock held while one process refreshes ("lgrr"); the migrations hold "lgrp".
_REFRESH_LOCK = 0x6C67_7272


def utc_text(moment: datetime.datetime) -> str:
    """A moment as UTC text that sorts in time order (``2026-02-01T08:00:00.000000+00:00``)."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _insert_many(connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) through the driver's own executemany.

    A first build projects millions of steps; SQLAlchemy's per-row parameter processing cost as
    much as the driver's insert itself, and these columns need none (dates aside, on SQLite).
    """
    if not rows:
        return
    names = list(rows[0])
    columns = ", ".join(names)
    style = connection.dialect.paramstyle
    if style == "qmark":
        # SQLite keeps dates as ISO text, as SQLAlchemy's Date type writes them.
        dates = [i for i, name in enumerate(names) if isinstance(table.c[name].type, sa.Date)]
        values = []
        for row in rows:
            value = [row[name] for name in names]
            for i in dates:
                if value[i] is not None:
                    value[i] = value[i].isoformat()
            values.append(tuple(value))
        marks = ", ".join("?" * len(names))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", values)
    elif style == "pyformat":
        marks = ", ".join(f"%({n})s" for n in names)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", list(rows))
    else:  # pragma: no cover - another driver: SQLAlchemy's own path
        connection.execute(table.insert(), list(rows))


def _piastres(amount: object) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


@attrs.frozen
class Refreshed:
    """What one refresh did, and the moment its data stands at."""

    requests: int
    orders: int
    as_of: datetime.datetime
    rebuilt: bool


class Projector:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        meanings: Meanings,
        organisation: Mapping[str, Governorate],
        calendar: WorkingCalendar,
        timezone: datetime.tzinfo = EGYPT,
        clock: Clock = utcnow,
    ) -> None:
        self.engine = engine
        self._meanings = meanings
        self._organisation = organisation
        self._index = WorkdayIndex(calendar)
        self._fingerprint = calendar_fingerprint(calendar)
        self._timezone = timezone
        self._clock = clock
        self._lock = threading.Lock()
        # The first refresh of a process always runs: it is the one that notices a calendar
        # other than the one the projection was indexed with.
        self._caught_up_once = False
        migrate_reports(engine)

    def refresh(self, *, max_age: datetime.timedelta | None = None) -> Refreshed:
        """Bring the projection up to date; return what changed and the moment of the data.

        With ``max_age``, a projection that caught up less than that long ago is left as it is
        (nothing is scanned): what lets many report calls share one refresh. The age is checked
        again once the lock is held, so callers who waited on another's refresh use it.

        One refresh at a time: two at once would both re-project the same changed requests and
        collide on their rows. Threads of this process wait on a lock; other processes on
        PostgreSQL wait on an advisory lock (SQLite's write lock already serialises them).
        """
        with self._exclusive():
            if max_age is not None and self._caught_up_once:
                as_of = self.as_of()
                if as_of is not None and self._clock() - as_of < max_age:
                    return Refreshed(0, 0, as_of, False)
            refreshed = self._refresh()
            self._caught_up_once = True
            return refreshed

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._lock:
            if self.engine.dialect.name != "postgresql":
                yield
                return
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": _REFRESH_LOCK})
                try:
                    yield
                finally:
                    connection.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": _REFRESH_LOCK})
                    connection.commit()

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        # On SQLite, BEGIN IMMEDIATE: a transaction that reads first and writes later would fail
        # with "database is locked" when another writer got in between.
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection

    def _refresh(self) -> Refreshed:
        as_of = self._clock()
        rebuilt = self._check_calendar()
        changed = 0
        for batch in self._changed_requests():
            changed += self._project_requests(batch)
        orders_done = self._project_revenue()
        with self._writing() as connection:
            _put_meta(connection, "as_of", as_of.isoformat())
        return Refreshed(changed, orders_done, as_of, rebuilt)

    def as_of(self) -> datetime.datetime | None:
        """When the projection last caught up (None if it never did)."""
        with self.engine.connect() as connection:
            value = connection.execute(sa.select(meta.c.value).where(meta.c.key == "as_of")).scalar()
        return datetime.datetime.fromisoformat(value) if value is not None else None

    # --- the calendar ----------------------------------------------------------------------

    def _check_calendar(self) -> bool:
        """Drop every projected row when they were indexed with another calendar."""
        with self._writing() as connection:
            known = connection.execute(sa.select(meta.c.value).where(meta.c.key == "calendar")).scalar()
            if known == self._fingerprint:
                return False
            for table in (report_steps, report_requests, report_revenue):
                connection.execute(table.delete())
            _put_meta(connection, "calendar", self._fingerprint)
            return known is not None

    # --- requests --------------------------------------------------------------------------

    def _changed_requests(self) -> Iterator[list[str]]:
        r, p = store.requests, report_requests
        query = (
            sa.select(r.c.id)
            .select_from(r.outerjoin(p, p.c.request_id == r.c.id))
            .where(sa.or_(p.c.request_id.is_(None), p.c.event_count != r.c.event_count))
            .order_by(r.c.id)
        )
        with self.engine.connect() as connection:
            ids = list(connection.execute(query).scalars())
        for start in range(0, len(ids), _BATCH):
            yield ids[start : start + _BATCH]

    def _project_requests(self, ids: Sequence[str]) -> int:
        r, e = store.requests, store.events
        columns = [r.c.id, r.c.governorate, r.c.unit, r.c.service, r.c.state, r.c.due_date, r.c.event_count]
        with self._writing() as connection:
            rows = connection.execute(sa.select(*columns).where(r.c.id.in_(ids))).all()
            events: dict[str, list[Any]] = {}
            history = sa.select(
                e.c.request_id, e.c.seq, e.c.at, e.c.actor, e.c.role, e.c.action, e.c.from_state, e.c.to_state, e.c.data
            )
            for event in connection.execute(history.where(e.c.request_id.in_(ids)).order_by(e.c.request_id, e.c.seq)):
                events.setdefault(event.request_id, []).append(event)
            request_rows, step_rows = [], []
            for row in rows:
                projected = self._project(row, events.get(row.id, []))
                if projected is not None:
                    request_rows.append(projected[0])
                    step_rows += projected[1]
            connection.execute(report_steps.delete().where(report_steps.c.request_id.in_(ids)))
            connection.execute(report_requests.delete().where(report_requests.c.request_id.in_(ids)))
            _insert_many(connection, report_requests, request_rows)
            _insert_many(connection, report_steps, step_rows)
        return len(request_rows)

    def _project(
        self, row: sa.Row[Any], events: Sequence[sa.Row[Any]]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        if not events:
            return None
        meanings, index = self._meanings, self._index
        submit = events[0].data
        holder = submit.get("assigned_to")
        steps: list[dict[str, Any]] = []
        stay: dict[str, Any] | None = None
        letters: set[str] = set()  # awaited replies (Engine.record_letter)
        for event in events:
            changes = event.data.get("changes")
            if isinstance(changes, Mapping) and "assigned_to" in changes:
                holder = changes["assigned_to"]
            letter = changes.get("letter") if isinstance(changes, Mapping) else None
            if isinstance(letter, Mapping):
                (letters.add if letter.get("status") == "awaited" else letters.discard)(str(letter.get("number")))
            moment = datetime.datetime.fromisoformat(event.at)
            day = moment.astimezone(self._timezone).date()
            meaning = meanings.state(row.service, event.to_state)
            payment = changes.get("payment") if isinstance(changes, Mapping) else None
            opens_stay = not steps or event.from_state != event.to_state
            if opens_stay and stay is not None:
                stay.update(left_at=utc_text(moment), left_on=day, held_wd=index(day) - stay["wd"])
            steps.append(
                {
                    "request_id": row.id,
                    "seq": event.seq,
                    "at": utc_text(moment),
                    "on_date": day,
                    "wd": index(day),
                    "actor": event.actor,
                    "role": event.role,
                    "action": event.action,
                    "kind": meanings.step_kind(row.service, event.seq, event.action, event.from_state, event.to_state),
                    "state": event.to_state,
                    "opens_stay": opens_stay,
                    "clock": meaning.clock,
                    "pause_kind": meaning.pause_kind,
                    "final": meaning.final,
                    "holder": holder,
                    "left_at": None,
                    "left_on": None,
                    "held_wd": None,
                    "provider": payment.get("provider") if isinstance(payment, Mapping) else None,
                    "amount_piastres": _piastres(payment["amount"]) if isinstance(payment, Mapping) else None,
                }
            )
            if opens_stay:
                stay = steps[-1]
        first, last = steps[0], steps[-1]
        final = meanings.state(row.service, row.state)
        paused = {
            kind: sum(s["held_wd"] or 0 for s in steps if s["opens_stay"] and s["pause_kind"] == kind)
            for kind in ("applicant", "payment")
        }
        paused_wd = paused["applicant"] + paused["payment"]
        closed_on = last["on_date"] if final.final else None
        closed_wd = last["wd"] if final.final else None
        due_date = row.due_date
        unit = (
            self._organisation[row.governorate].units.get(row.unit) if row.governorate in self._organisation else None
        )
        taken = closed_wd - first["wd"] - paused_wd if closed_wd is not None else None
        request = {
            "request_id": row.id,
            "governorate": row.governorate,
            "zone": unit.zone if unit is not None else None,
            "unit": row.unit,
            "service_point": submit.get("service_point"),
            "service": row.service,
            "department": meanings.service_department.get(row.service),
            "channel": submit.get("channel") or "",
            "submitted_on": first["on_date"],
            "submitted_wd": first["wd"],
            "state": row.state,
            "outcome": final.outcome,
            "closed_on": closed_on,
            "closed_wd": closed_wd,
            "due_date": due_date,
            "due_wd": index(due_date),
            "limit_days": meanings.service_limit.get(row.service),
            "paused_wd": paused_wd,
            "paused_applicant_wd": paused["applicant"],
            "paused_payment_wd": paused["payment"],
            # Paused now: in a paused state, or one whose clock a letter awaiting its reply stops
            # (the engine's clock_stands_still), so "overdue now" counts neither.
            "paused": not final.final
            and ((stay or last)["clock"] == "paused" or (final.letters_pause_clock and bool(letters))),
            "taken_wd": taken,
            "within_limit": (closed_on <= due_date) if final.outcome == "completed" and closed_on else None,
            "event_count": row.event_count,
        }
        return request, steps

    # --- the ledger ------------------------------------------------------------------------

    def _project_revenue(self) -> int:
        if not sa.inspect(self.engine).has_table(orders.name):
            return 0
        o, v = orders, report_revenue
        seen = sa.select(v.c.merchant_ref, sa.func.max(v.c.order_updated_at).label("updated_at")).group_by(
            v.c.merchant_ref
        )
        seen_q = seen.subquery()
        query = (
            sa.select(o.c.merchant_ref, o.c.request_id, o.c.provider, o.c["items"], o.c.credited_at, o.c.refunded)
            .add_columns(o.c.updated_at)
            .select_from(o.outerjoin(seen_q, seen_q.c.merchant_ref == o.c.merchant_ref))
            .where(o.c.credited_at.is_not(None))
            .where(sa.or_(seen_q.c.merchant_ref.is_(None), seen_q.c.updated_at != o.c.updated_at))
        )
        with self._writing() as connection:
            changed = connection.execute(query).all()
            refs = [order.merchant_ref for order in changed]
            for start in range(0, len(refs), _BATCH):
                connection.execute(v.delete().where(v.c.merchant_ref.in_(refs[start : start + _BATCH])))
            lines = [line for order in changed for line in self._revenue_lines(order)]
            _insert_many(connection, v, lines)
        return len(changed)

    def _revenue_lines(self, order: sa.Row[Any]) -> list[dict[str, Any]]:
        credited = datetime.datetime.fromisoformat(order.credited_at)
        credited_on = credited.astimezone(self._timezone).date()
        lines = []
        # The ledger refunds orders, not items: the refund is kept on the order's first line.
        for number, item in enumerate(order.items):
            lines.append(
                {
                    "merchant_ref": order.merchant_ref,
                    "line": number,
                    "request_id": order.request_id,
                    "provider": order.provider,
                    "item": item["code"],
                    "amount_piastres": _piastres(item["amount"]) * int(item.get("quantity", 1)),
                    "refunded_piastres": _piastres(order.refunded) if number == 0 else 0,
                    "credited_on": credited_on,
                    "order_updated_at": order.updated_at,
                }
            )
        return lines


def _put_meta(connection: sa.Connection, key: str, value: str) -> None:
    connection.execute(meta.delete().where(meta.c.key == key))
    connection.execute(meta.insert().values(key=key, value=value))
