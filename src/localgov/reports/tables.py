"""Results as tables with bilingual headings, and as JSON-ready data: one shape for every output.

The terminal, CSV, JSON, the web API and the PDF all print what :func:`tables_of` gives, so a
figure reads the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from localgov.i18n import LocalizedText
from localgov.reports.results import (
    Distribution,
    EmployeesReport,
    RankingReport,
    ReportHeader,
    ReportResult,
    RevenueReport,
    StatesReport,
    TimeLimitsReport,
    VolumeReport,
)

__all__ = ["REPORT_TITLES", "Column", "Table", "Value", "header_data", "result_data", "tables_of"]

Value = int | float | Decimal | str | None

L = LocalizedText

#: Each report's title.
REPORT_TITLES: Mapping[str, LocalizedText] = {
    "volume": L("حجم الطلبات: الوارد والمنجز والمتأخر", "Requests received, closed and in progress"),
    "time-limits": L("الالتزام بالمدد القانونية", "Time limits"),
    "states": L("مدة بقاء الطلبات في كل مرحلة", "Time held in each state"),
    "employees": L("أداء الموظفين", "Employees"),
    "revenue": L("الإيرادات حسب البند وجهة التحصيل", "Revenue by item and provider"),
    "ranking": L(
        "ترتيب المراكز التكنولوجية (جائزة التميز الحكومي)", "Ranking of technology centers (excellence award)"
    ),
}
TOTAL = L("الإجمالي", "Total")


@attrs.frozen
class Column:
    key: str
    label: LocalizedText


@attrs.frozen
class Table:
    title: LocalizedText
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(distribution: Distribution) -> float | None:
    mean = distribution.mean
    return round(mean, 2) if mean is not None else None


def _group_label(group: str | None) -> str:
    return group if group is not None else "-"


def _volume(result: VolumeReport) -> tuple[Table, ...]:
    columns = (
        Column("group", L("البيان", result.header.by or "Scope")),
        Column("received", L("الوارد", "Received")),
        Column("completed", L("المنجز", "Completed")),
        Column("rejected", L("المرفوض", "Rejected")),
        Column("withdrawn", L("المسحوب", "Withdrawn")),
        Column("in_progress", L("قيد التنفيذ", "In progress")),
        Column("backlog_median_age", L("وسيط عمر المتأخرات (أيام عمل)", "Backlog median age (working days)")),
        Column("backlog_p90_age", L("عمر المتأخرات ٩٠٪ (أيام عمل)", "Backlog age, 90th percentile")),
    )
    rows = [*result.rows, result.total]
    return (
        Table(
            REPORT_TITLES["volume"],
            columns,
            tuple(
                (
                    _group_label(row.group) if row is not result.total else TOTAL.en,
                    row.received,
                    row.completed,
                    row.rejected,
                    row.withdrawn,
                    row.in_progress,
                    row.backlog_age.median,
                    row.backlog_age.p90,
                )
                for row in rows
            ),
        ),
    )


def _time_limits(result: TimeLimitsReport) -> tuple[Table, ...]:
    columns = (
        Column("group", L("البيان", result.header.by or "Scope")),
        Column("completed", L("المنجز", "Completed")),
        Column("within_limit", L("في المدة القانونية", "Within the limit")),
        Column("within_limit_percent", L("نسبة الالتزام ٪", "Within the limit, %")),
        Column("taken_median", L("وسيط أيام العمل المستغرقة", "Working days taken, median")),
        Column("taken_p90", L("أيام العمل المستغرقة ٩٠٪", "Working days taken, 90th percentile")),
        Column("overdue_now", L("المتأخر الآن", "Overdue now")),
        Column("overdue_median", L("وسيط التأخير (أيام عمل)", "Overdue by, median")),
        Column("overdue_max", L("أقصى تأخير (أيام عمل)", "Overdue by, most")),
        Column("paused_applicant_days", L("أيام انتظار مقدم الطلب", "Working days waiting on the applicant")),
        Column("paused_payment_days", L("أيام انتظار السداد", "Working days waiting on a payment")),
    )
    rows = [*result.rows, result.total]
    return (
        Table(
            REPORT_TITLES["time-limits"],
            columns,
            tuple(
                (
                    _group_label(row.group) if row is not result.total else TOTAL.en,
                    row.completed,
                    row.within_limit,
                    _share(row.within_limit, row.completed),
                    row.taken.median,
                    row.taken.p90,
                    row.overdue_now.count,
                    row.overdue_now.median,
                    row.overdue_now.maximum,
                    row.paused_for_applicant.total,
                    row.paused_for_payment.total,
                )
                for row in rows
            ),
        ),
    )


def _states(result: StatesReport) -> tuple[Table, ...]:
    columns = (
        Column("state", L("المرحلة", "State")),
        Column("stays", L("مرات البقاء المنتهية", "Stays ended")),
        Column("mean_days", L("متوسط أيام العمل", "Working days, mean")),
        Column("median_days", L("وسيط أيام العمل", "Working days, median")),
        Column("p90_days", L("أيام العمل ٩٠٪", "Working days, 90th percentile")),
        Column("holding_at_end", L("الطلبات فيها في نهاية الفترة", "Requests in it at the end")),
    )
    return (
        Table(
            REPORT_TITLES["states"],
            columns,
            tuple(
                (row.state, row.held.count, _mean(row.held), row.held.median, row.held.p90, row.holding_at_end)
                for row in result.rows
            ),
        ),
    )


def _employees(result: EmployeesReport) -> tuple[Table, ...]:
    columns = (
        Column("employee", L("الموظف", "Employee")),
        Column("role", L("الوظيفة", "Role")),
        Column("actions", L("الإجراءات", "Actions")),
        Column("actions_per_working_day", L("إجراءات لكل يوم عمل", "Actions per working day")),
        Column("waiting_median", L("وسيط انتظار الطلب لديه (أيام عمل)", "Wait with them, median")),
        Column("send_backs", L("الإعادة لمقدم الطلب", "Send-backs")),
        Column("send_back_rate", L("نسبة الإعادة ٪", "Send-back rate, %")),
        Column("peer_send_back_rate", L("نسبة الإعادة لدى الزملاء ٪", "Peers' send-back rate, %")),
        Column("rejections", L("الرفض", "Rejections")),
        Column("rejection_rate", L("نسبة الرفض ٪", "Rejection rate, %")),
        Column("peer_rejection_rate", L("نسبة الرفض لدى الزملاء ٪", "Peers' rejection rate, %")),
    )
    return (
        Table(
            REPORT_TITLES["employees"],
            columns,
            tuple(
                (
                    row.employee,
                    row.role,
                    row.actions,
                    row.actions_per_working_day,
                    row.waiting.median,
                    row.send_backs,
                    row.send_back_rate,
                    row.peer_send_back_rate,
                    row.rejections,
                    row.rejection_rate,
                    row.peer_rejection_rate,
                )
                for row in result.rows
            ),
        ),
    )


def _revenue(result: RevenueReport) -> tuple[Table, ...]:
    lines = Table(
        REPORT_TITLES["revenue"],
        (
            Column("item", L("بند الإيراد", "Revenue item")),
            Column("provider", L("جهة التحصيل", "Provider")),
            Column("orders", L("أوامر الدفع", "Orders")),
            Column("gross", L("المحصل (جنيه)", "Collected (EGP)")),
            Column("refunded", L("المرتجع (جنيه)", "Refunded (EGP)")),
            Column("net", L("الصافي (جنيه)", "Net (EGP)")),
        ),
        tuple((r.item, r.provider, r.orders, r.gross, r.refunded, r.net) for r in result.rows),
    )
    reconciliation = Table(
        L("مطابقة دفتر المدفوعات مع الطلبات", "The ledger reconciled with the requests"),
        (
            Column("provider", L("جهة التحصيل", "Provider")),
            Column("ledger", L("دفتر المدفوعات (جنيه)", "Ledger (EGP)")),
            Column("recorded_on_requests", L("المسجل على الطلبات (جنيه)", "Recorded on requests (EGP)")),
            Column("difference", L("الفرق (جنيه)", "Difference (EGP)")),
        ),
        tuple((c.provider, c.ledger, c.recorded_on_requests, c.difference) for c in result.reconciliation),
    )
    return lines, reconciliation


def _ranking(result: RankingReport) -> tuple[Table, ...]:
    columns = (
        Column("rank", L("الترتيب", "Rank")),
        Column("unit", L("الوحدة المحلية", "Local unit")),
        Column("score", L("الدرجة من ١٠٠", "Score out of 100")),
        Column("within_limit_share", L("الالتزام بالمدد", "Time limits met (L)")),
        Column("clearance", L("معدل الإنجاز", "Clearance (C)")),
        Column("speed", L("السرعة", "Speed (S)")),
        Column("completed", L("المنجز", "Completed")),
    )
    return (
        Table(
            REPORT_TITLES["ranking"],
            columns,
            tuple(
                (r.rank, r.unit, r.score, r.within_limit_share, r.clearance, r.speed, r.completed) for r in result.rows
            ),
        ),
    )


_TABLES: Mapping[type, Callable[[Any], tuple[Table, ...]]] = {
    VolumeReport: _volume,
    TimeLimitsReport: _time_limits,
    StatesReport: _states,
    EmployeesReport: _employees,
    RevenueReport: _revenue,
    RankingReport: _ranking,
}


def tables_of(result: ReportResult) -> tuple[Table, ...]:
    """The tables that show ``result`` (the revenue report has two: lines and reconciliation)."""
    return _TABLES[type(result)](result)


def header_data(header: ReportHeader) -> dict[str, Any]:
    return {
        "report": header.name,
        "period": {"from": header.period.start.isoformat(), "to": header.period.end.isoformat()},
        "filters": dict(header.filters.given()),
        "by": header.by,
        "as_of": header.as_of.isoformat(),
        "today": header.today.isoformat(),
    }


def _json_value(value: Value) -> Any:
    # Money as decimal strings, so JSON readers never round it through a float.
    return str(value) if isinstance(value, Decimal) else value


def result_data(result: ReportResult) -> dict[str, Any]:
    """The result as JSON-ready data: its header and each table's records."""
    return {
        **header_data(result.header),
        "tables": [
            {
                "title": {"ar": table.title.ar, "en": table.title.en},
                "columns": [{"key": c.key, "ar": c.label.ar, "en": c.label.en} for c in table.columns],
                "rows": [{k: _json_value(v) for k, v in record.items()} for record in table.records()],
            }
            for table in tables_of(result)
        ],
    }
