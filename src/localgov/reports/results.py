"""What reports return: typed, frozen results that state what they cover.

Every result carries a :class:`ReportHeader`: the period, the filters, the grouping and the moment
of the data (when the projection last caught up with the store), so a figure can be reproduced.
Rows hold counts and working days only; no applicant's name or national ID is ever in a result.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from localgov.reports.query import Filters, Period

__all__ = [
    "Distribution",
    "EmployeeRow",
    "EmployeesReport",
    "ProviderReconciliation",
    "RankingReport",
    "RankingRow",
    "ReportHeader",
    "ReportResult",
    "RevenueReport",
    "RevenueRow",
    "StateRow",
    "StatesReport",
    "TimeLimitRow",
    "TimeLimitsReport",
    "VolumeReport",
    "VolumeRow",
]


@attrs.frozen
class ReportHeader:
    name: str
    period: Period
    filters: Filters
    #: The dimension rows are grouped by (``unit``, ``service``...), None for one total row.
    by: str | None
    #: The moment the data stands at: the projection's last refresh.
    as_of: datetime.datetime
    #: The local date "now" means for figures such as "overdue now" (the as-of moment's date).
    today: datetime.date


@attrs.frozen
class Distribution:
    """Working days over a set of requests or spans, from an exact histogram.

    ``median`` and ``p90`` are nearest-rank percentiles: the smallest value with at least half
    (nine tenths) of the values at or below it. None when there are no values.
    """

    count: int
    total: int
    median: int | None
    p90: int | None
    maximum: int | None

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    @classmethod
    def of(cls, histogram: Mapping[int, int]) -> Distribution:
        count = sum(histogram.values())
        if count == 0:
            return cls(0, 0, None, None, None)
        values = sorted(histogram)
        return cls(
            count=count,
            total=sum(value * n for value, n in histogram.items()),
            median=_nearest_rank(values, histogram, count, 50),
            p90=_nearest_rank(values, histogram, count, 90),
            maximum=values[-1],
        )


def _nearest_rank(values: Sequence[int], histogram: Mapping[int, int], count: int, percent: int) -> int:
    rank = -(-count * percent // 100)  # ceil(count * percent / 100), at least 1 since count > 0
    seen = 0
    for value in values:
        seen += histogram[value]
        if seen >= rank:
            return value
    return values[-1]


@attrs.frozen
class VolumeRow:
    group: str | None
    received: int
    completed: int
    rejected: int
    withdrawn: int
    #: Open at the end of the period (submitted by then and not closed by then): the backlog.
    in_progress: int
    #: Working days the backlog had been waiting at the end of the period.
    backlog_age: Distribution


@attrs.frozen
class VolumeReport:
    header: ReportHeader
    rows: tuple[VolumeRow, ...]
    total: VolumeRow


@attrs.frozen
class TimeLimitRow:
    group: str | None
    completed: int
    within_limit: int
    #: Working days from submission to completion, less the days paused.
    taken: Distribution
    #: Open now, not paused and past the due date: by how many working days.
    overdue_now: Distribution
    #: Of the requests completed in the period, those whose clock stood paused waiting on the
    #: applicant (on a payment): the working days each waited, in all.
    paused_for_applicant: Distribution
    paused_for_payment: Distribution

    @property
    def share_within_limit(self) -> float | None:
        return self.within_limit / self.completed if self.completed else None


@attrs.frozen
class TimeLimitsReport:
    header: ReportHeader
    rows: tuple[TimeLimitRow, ...]
    total: TimeLimitRow


@attrs.frozen
class StateRow:
    state: str
    #: Working days held, over the stays in the state that ended in the period.
    held: Distribution
    #: Requests in the state at the end of the period.
    holding_at_end: int


@attrs.frozen
class StatesReport:
    header: ReportHeader
    rows: tuple[StateRow, ...]


@attrs.frozen
class EmployeeRow:
    employee: str
    role: str
    actions: int
    actions_per_working_day: float
    #: Working days requests waited while assigned to the employee (stays ended in the period).
    waiting: Distribution
    send_backs: int
    rejections: int
    #: Send-backs and rejections per 100 decisions, and the same for the employee's peers
    #: (everyone else with the same role in the report's scope).
    send_back_rate: float | None
    peer_send_back_rate: float | None
    rejection_rate: float | None
    peer_rejection_rate: float | None
    #: Actions the engine refused the employee for separation of duties in the period, on requests
    #: in scope (per employee: the same on each of their roles' rows).
    separation_refusals: int = 0


@attrs.frozen
class EmployeesReport:
    header: ReportHeader
    working_days: int
    rows: tuple[EmployeeRow, ...]


@attrs.frozen
class RevenueRow:
    item: str
    provider: str
    orders: int
    gross: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunded


@attrs.frozen
class ProviderReconciliation:
    """The ledger's credited orders against the payments recorded on the requests."""

    provider: str
    ledger: Decimal
    recorded_on_requests: Decimal

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.recorded_on_requests


@attrs.frozen
class RevenueReport:
    header: ReportHeader
    rows: tuple[RevenueRow, ...]
    reconciliation: tuple[ProviderReconciliation, ...]


@attrs.frozen
class RankingRow:
    unit: str
    rank: int | None  # None: too few completed requests in the period to be ranked
    score: float | None
    within_limit_share: float | None
    clearance: float | None
    speed: float | None
    completed: int


@attrs.frozen
class RankingReport:
    header: ReportHeader
    minimum_completed: int
    rows: tuple[RankingRow, ...]


ReportResult = VolumeReport | TimeLimitsReport | StatesReport | EmployeesReport | RevenueReport | RankingReport
