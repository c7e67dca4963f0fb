"""Revenue by revenue item and provider, from the ledger, reconciled with the requests.

The ledger's credited orders are the money's source; the payments recorded on the requests'
histories are the other side. Per provider, the two totals over the period should agree; a
difference is a payment credited but not recorded on its request (or the reverse), or one that
crossed midnight between the provider's credit and the request's record.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from localgov.reports.results import ProviderReconciliation, ReportHeader, RevenueReport, RevenueRow
from localgov.reports.schema import report_requests, report_revenue, report_steps
from localgov.reports.scope import request_scope

__all__ = ["revenue_report"]

r, s, v = report_requests, report_steps, report_revenue


def _pounds(piastres: int | None) -> Decimal:
    return (Decimal(int(piastres or 0)) / 100).quantize(Decimal("0.01"))


def revenue_report(connection: sa.Connection, header: ReportHeader) -> RevenueReport:
    period, scope = header.period, request_scope(header.filters)
    # Without filters an order counts even when its request is unknown to the projection.
    source = (
        v.outerjoin(r, r.c.request_id == v.c.request_id) if not scope else v.join(r, r.c.request_id == v.c.request_id)
    )
    credited = v.c.credited_on.between(period.start, period.end)
    lines = connection.execute(
        sa.select(
            v.c.item,
            v.c.provider,
            sa.func.count(sa.distinct(v.c.merchant_ref)).label("orders"),
            sa.func.sum(v.c.amount_piastres).label("gross"),
            sa.func.sum(v.c.refunded_piastres).label("refunded"),
        )
        .select_from(source)
        .where(credited, *scope)
        .group_by(v.c.item, v.c.provider)
        .order_by(v.c.item, v.c.provider)
    ).all()
    rows = tuple(
        RevenueRow(row.item, row.provider, int(row.orders), _pounds(row.gross), _pounds(row.refunded)) for row in lines
    )
    ledger: dict[str, Decimal] = {}
    for row in rows:
        ledger[row.provider] = ledger.get(row.provider, Decimal("0.00")) + row.gross
    recorded = {
        row.provider: _pounds(row.total)
        for row in connection.execute(
            sa.select(s.c.provider, sa.func.sum(s.c.amount_piastres).label("total"))
            .select_from(s.join(r, r.c.request_id == s.c.request_id))
            .where(s.c.kind == "payment", s.c.on_date.between(period.start, period.end), *scope)
            .group_by(s.c.provider)
        )
    }
    reconciliation = tuple(
        ProviderReconciliation(provider, ledger.get(provider, Decimal("0.00")), recorded.get(provider, Decimal("0.00")))
        for provider in sorted(set(ledger) | set(recorded))
    )
    return RevenueReport(header, rows, reconciliation)
