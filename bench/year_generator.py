"""A realistic year of Cairo's requests, written straight into the store's tables (not through the engine).

Requests are spread over the working days of 2026 and Cairo's 38 districts (busier districts get
more), each one walking its service's workflow: documents checked, reviewed, inspected, fees
assessed, paid (sometimes in two parts), approved, issued; some sent back to the applicant, some
rejected or withdrawn, the last ones still open at the end of the year. Each district has its own
pace, so the centers do not all score alike. Payments also go to the ledger. The histories are
not hash-chained (the reports do not read the chain): this is data for the report benchmark, not
for an audit.

Rows are produced in chunks of tuples in the tables' column order, for bulk inserts.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import orjson

from localgov.calendar import WorkingCalendar
from localgov.catalogue import Catalogue, WorkflowDefinition
from localgov.organisation import Governorate

CAIRO = ZoneInfo("Africa/Cairo")
YEAR = 2026
HASH = "0" * 64
PROVIDERS = ("fawry", "efinance")


@attrs.frozen
class Chunk:
    requests: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    orders: list[tuple[Any, ...]]


def _happy_path(workflow: WorkflowDefinition) -> list[tuple[str, str]]:
    """(action, state reached) from the initial state to the state that issues, by forward actions:
    never to the applicant's pause, a rejection or a withdrawal."""
    states = {s.code: s for s in workflow.states}

    def forward(code: str) -> bool:
        target = states.get(code)
        if target is None:  # "@return": back to where the request was sent from
            return False
        if target.final:
            return "reject" not in target.code and "withdraw" not in target.code
        return target.clock == "running" or "payment" in target.code

    path, state, seen = [], workflow.initial, {workflow.initial}
    while not states[state].final:
        action = next(
            (a for a in workflow.actions if state in a.sources and forward(a.dest) and a.dest not in seen), None
        )
        if action is None:
            break
        path.append((action.code, action.dest))
        state = action.dest
        seen.add(state)
    return path


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, rng.randint(9, 14), rng.randint(0, 59), tzinfo=CAIRO)


def _sends_back_from(workflow: WorkflowDefinition) -> Mapping[str, tuple[str, str]]:
    """For each state a request can be sent back from: (the action, the applicant's paused state)."""
    found = {}
    for action in workflow.actions:
        target = workflow.state(action.dest)
        if target is not None and target.clock == "paused" and "payment" not in target.code:
            for source in action.sources:
                found[source] = (action.code, action.dest)
    return found


def _ends_from(workflow: WorkflowDefinition, word: str) -> Mapping[str, str]:
    return {s: a.code for a in workflow.actions if word in a.dest for s in a.sources}


class YearGenerator:
    def __init__(
        self,
        catalogue: Catalogue,
        organisation: Mapping[str, Governorate],
        calendar: WorkingCalendar,
        *,
        requests: int,
        seed: int = 14,
    ) -> None:
        self.total = requests
        self.calendar = calendar
        self.rng = random.Random(seed)
        self.cairo = organisation["C"]
        self.units = sorted(self.cairo.units)
        # Busier districts take more requests; each has its own pace (working days per step).
        self.weights = [self.rng.uniform(0.4, 2.0) for _ in self.units]
        self.pace = {unit: self.rng.uniform(0.4, 1.6) for unit in self.units}
        self.centers = {
            p.unit: p.code for p in self.cairo.service_points.values() if p.kind.value == "technology_center"
        }
        self.services = sorted(catalogue.services.values(), key=lambda s: s.code)
        self.service_weights = [3.0 if s.workflow == "renewal" else 1.0 for s in self.services]
        self.workflows = {code: catalogue.workflow(code) for code in {s.workflow for s in self.services}}
        self.paths = {code: _happy_path(w) for code, w in self.workflows.items()}
        self.send_back = {code: _sends_back_from(w) for code, w in self.workflows.items()}
        self.rejects = {code: _ends_from(w, "reject") for code, w in self.workflows.items()}
        self.withdraws = {code: _ends_from(w, "withdraw") for code, w in self.workflows.items()}
        start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
        self.days = [
            start + datetime.timedelta(days=n)
            for n in range((end - start).days + 1)
            if calendar.is_working_day(start + datetime.timedelta(days=n))
        ]
        self.year_end = datetime.datetime(YEAR + 1, 1, 1, tzinfo=CAIRO)
        self.sequence: dict[str, int] = {}

    def chunks(self, size: int = 20_000) -> Iterator[Chunk]:
        made = 0
        while made < self.total:
            count = min(size, self.total - made)
            chunk = Chunk([], [], [])
            for _ in range(count):
                self._one(chunk)
            made += count
            yield chunk

    def _after(self, day: datetime.date, unit: str, most: int) -> datetime.date:
        steps = int(self.rng.random() * (most + 1) * self.pace[unit])
        return self.calendar.add_working_days(day, steps)

    def _one(self, chunk: Chunk) -> None:
        rng = self.rng
        unit = rng.choices(self.units, self.weights)[0]
        service = rng.choices(self.services, self.service_weights)[0]
        workflow = service.workflow
        self.sequence[unit] = number = self.sequence.get(unit, 0) + 1
        request_id = f"C{self.units.index(unit):02d}-{number:07d}"
        submitted_on = rng.choice(self.days)
        center = self.centers.get(unit)
        portal = center is None or rng.random() < 0.3 or "front_desk" not in service.channels
        channel, point = ("portal", None) if portal else ("front_desk", center)
        at = _moment(submitted_on, rng)
        first_state = self.workflows[workflow].initial
        events: list[tuple[Any, ...]] = []

        def add(
            when: datetime.datetime, actor: str, role: str, action: str, src: str | None, dst: str, data: Any
        ) -> None:
            if events:  # the same day's steps in order: a minute after the one before at least
                when = max(when, datetime.datetime.fromisoformat(events[-1][2]) + datetime.timedelta(minutes=1))
            events.append(
                (
                    request_id,
                    len(events) + 1,
                    when.isoformat(),
                    actor,
                    role,
                    action,
                    src,
                    dst,
                    orjson.dumps(data).decode(),
                    HASH,
                    HASH,
                )
            )

        staff = f"{unit}-clerk"
        add(
            at,
            staff,
            "front_desk_clerk" if not portal else "applicant",
            "submit",
            None,
            first_state,
            {"channel": channel, "service_point": point, "service": service.code, "assigned_to": f"{unit}-s1"},
        )
        state, day, paused_days = first_state, submitted_on, 0
        fate = rng.random()
        path = self.paths[workflow]
        cut = rng.randrange(len(path)) if fate < 0.08 else None  # rejected (6%) or withdrawn (2%) there
        sent_back = rng.random() < 0.12
        closed = False
        for number_in_path, (action, dest) in enumerate(path):
            if cut is not None and number_in_path == cut:
                ends = self.rejects[workflow] if fate < 0.06 else self.withdraws[workflow]
                if state in ends:
                    day = self._after(day, unit, 2)
                    moment = _moment(day, rng)
                    if moment >= self.year_end:
                        break
                    final = "rejected" if fate < 0.06 else "withdrawn"
                    add(
                        moment,
                        f"{unit}-head",
                        "approver",
                        ends[state],
                        state,
                        final,
                        {"comment": "x", "changes": {"assigned_to": None}},
                    )
                    state, closed = final, True
                    break
            if sent_back and state in self.send_back[workflow]:
                sent_back = False
                back_action, back_state = self.send_back[workflow][state]
                day = self._after(day, unit, 2)
                moment = _moment(day, rng)
                if moment >= self.year_end:
                    break
                add(
                    moment,
                    f"{unit}-s2",
                    "engineer",
                    back_action,
                    state,
                    back_state,
                    {"comment": "x", "changes": {"assigned_to": None}},
                )
                resumed = self.calendar.add_working_days(day, rng.randint(1, 10))
                moment = _moment(resumed, rng)
                if moment >= self.year_end:
                    state = back_state
                    break
                paused_days += self.calendar.working_days_between(day, resumed)
                add(
                    moment,
                    staff,
                    "front_desk_clerk",
                    "resubmit",
                    back_state,
                    state,
                    {"changes": {"assigned_to": f"{unit}-s1"}},
                )
                day = resumed
            waiting_on_payment = "payment" in state
            before = day
            day = (
                self.calendar.add_working_days(day, rng.randint(0, 5))
                if waiting_on_payment
                else self._after(day, unit, 2)
            )
            moment = _moment(day, rng)
            if moment >= self.year_end:
                break
            if waiting_on_payment:
                paused_days += self.calendar.working_days_between(before, day)
                amount = f"{rng.randint(50, 5000)}.00"
                provider = rng.choice(PROVIDERS)
                payment = {"provider": provider, "reference": f"{provider[0].upper()}-{request_id}", "amount": amount}
                if rng.random() < 0.3:  # a part payment first, at one of the provider's outlets
                    part = {**payment, "reference": payment["reference"] + "-1", "amount": "10.00"}
                    add(moment, "system", "system", "payment", state, state, {"changes": {"payment": part}})
                add(moment, "system", "system", "payment", state, state, {"changes": {"payment": payment}})
                stamp = moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                items = [{"code": f"{service.code}_fee", "description": "fee", "amount": amount, "quantity": 1}]
                chunk.orders.append(
                    (
                        f"M-{request_id}",
                        request_id,
                        provider,
                        f"P-{request_id}",
                        "card",
                        amount,
                        "EGP",
                        "paid",
                        None,
                        None,
                        orjson.dumps(items).decode(),
                        stamp,
                        stamp,
                        None,
                        stamp,
                        "0.00",
                    )
                )
            add(
                moment,
                f"{unit}-s{number_in_path % 3 + 1}",
                "engineer",
                action,
                state,
                dest,
                {"changes": {"assigned_to": f"{unit}-s{number_in_path % 3 + 2}"}},
            )
            state = dest
            if self.workflows[workflow].state(dest).final:  # type: ignore[union-attr]
                closed = True
                break
        limit = service.time_limit_days
        due = self.calendar.add_working_days(submitted_on, limit + paused_days)
        last = events[-1][2]
        chunk.events.extend(events)
        chunk.requests.append(
            (
                request_id,
                "C",
                unit,
                service.code,
                state,
                len(events),
                closed,
                None,
                due,
                at.isoformat(),
                last,
                HASH,
                len(events),
                "{}",
            )
        )


def columns_of(table: Any) -> Sequence[str]:
    return [column.name for column in table.columns]
