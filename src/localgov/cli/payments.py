"""``localgov payments``: the reconciliation sweep and the daily report.

Attached to the ``localgov`` command from :data:`COMMANDS`::

    localgov payments reconcile [--json]
    localgov payments report [--date YYYY-MM-DD] [--json]

Providers come from the installed plugins (their secrets from the environment); the database from
``--db``/``LOCALGOV_DATABASE``. ``reconcile`` exits 1 when it has findings, so a scheduler notices.
"""

from __future__ import annotations

import datetime
import json

import click

from localgov.cli.common import state
from localgov.clock import local_date, utcnow
from localgov.payments.ledger import PaymentLedger
from localgov.payments.reconciliation import daily_report, reconcile

__all__ = ["COMMANDS", "payments"]


@click.group()
def payments() -> None:
    """Payments: reconciliation and reports (المدفوعات: التسوية والتقارير)."""


@payments.command("reconcile")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def reconcile_command(ctx: click.Context, as_json: bool) -> None:
    """Re-query pending payments at their providers; credit missed ones, report the rest."""
    cli_state = state(ctx)
    engine = cli_state.engine
    report = reconcile(engine, cli_state.app.payment_providers, ledger=PaymentLedger.for_engine(engine))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "checked": report.checked,
                    "credited": list(report.credited),
                    "findings": [
                        {
                            "kind": f.kind,
                            "provider": f.provider,
                            "merchant_ref": f.merchant_ref,
                            "request_id": f.request_id,
                            "detail": f.detail,
                            "amount": None if f.amount is None else str(f.amount),
                        }
                        for f in report.findings
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(f"مدفوعات تمت مراجعتها — payments checked: {report.checked}")
        click.echo(f"أضيفت بعد المراجعة — credited by the sweep: {len(report.credited)}")
        for finding in report.findings:
            click.echo(f"  [{finding.kind}] {finding.provider} {finding.merchant_ref or '-'}: {finding.detail}")
    if report.findings:
        ctx.exit(1)


@payments.command("report")
@click.option(
    "--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The day (Cairo time); today by default."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def report_command(ctx: click.Context, day: datetime.datetime | None, as_json: bool) -> None:
    """The day's payments by provider and by revenue item, and its anomalies."""
    date = day.date() if day is not None else local_date(utcnow())
    report = daily_report(PaymentLedger.for_engine(state(ctx).engine), date)
    if as_json:
        click.echo(json.dumps(report.to_data(), ensure_ascii=False, indent=2))
        return
    click.echo(f"تقرير المدفوعات اليومي — daily payments report: {date.isoformat()}")
    click.echo(f"الإجمالي المحصل — total collected: EGP {report.collected}")
    for totals in report.providers:
        click.echo(
            f"  {totals.provider}: {totals.payments} payments, EGP {totals.collected} collected, "
            f"{totals.refunds} refunds, EGP {totals.refunded} refunded, net EGP {totals.net}"
        )
    if report.revenue_items:
        click.echo("حسب بند الإيراد — by revenue item:")
        for item in report.revenue_items:
            click.echo(f"  {item.revenue_item} ({item.provider}): EGP {item.collected}")
    if report.expired:
        click.echo(f"انتهت صلاحيتها — expired: {', '.join(report.expired)}")
    if report.anomalies:
        click.echo("ملاحظات — anomalies:")
        for anomaly in report.anomalies:
            click.echo(f"  [{anomaly.kind}] {anomaly.provider} {anomaly.merchant_ref or '-'}: {anomaly.detail}")


COMMANDS = (payments,)
