"""``localgov report NAME``: the reports for decision makers, in the terminal, as CSV or JSON.

Attached to the ``localgov`` command from :data:`COMMANDS`::

    localgov report time-limits --from 2026-01-01 --to 2026-03-31 --unit zeitoun
    localgov report volume --from 2026-04-01 --to 2026-04-30 --by service --format csv
    localgov --staff staff.toml report employees --from ... --to ... --as head_zeitoun --format json
    localgov report time-limits --by unit --format pdf --output time-limits.pdf

The projection is brought up to date first (or used as it is when younger than ``--max-age``
seconds; ``localgov refresh-reports --every 60`` keeps it so); every output states the period, the
filters and the moment of the data. Employee figures need ``--as`` a staff member holding a supervisor role.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import signal
import threading
from pathlib import Path

import click

from localgov.calendar import egypt_calendar
from localgov.cli.common import state
from localgov.clock import local_date, utcnow
from localgov.reports import GROUPINGS, REPORT_NAMES, Filters, Period, Reports, ReportViewer
from localgov.reports.results import ReportHeader, ReportResult
from localgov.reports.tables import Table, Value, header_data, result_data, tables_of
from localgov.storage import SqlStore

__all__ = ["COMMANDS", "report"]


def _date(value: datetime.datetime | None, default: datetime.date) -> datetime.date:
    return value.date() if value is not None else default


@click.command("report")
@click.argument("name", type=click.Choice(REPORT_NAMES))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (Cairo); the 1st of this month.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, included; today by default.")
@click.option("--governorate")
@click.option("--zone")
@click.option("--unit", help="Local unit code (zeitoun, heliopolis...).")
@click.option("--service-point")
@click.option("--service")
@click.option("--channel")
@click.option("--department")
@click.option("--employee", help="Staff id: requests they acted on, or their own figures.")
@click.option("--by", type=click.Choice(GROUPINGS), help="One row per value of this (volume, time-limits).")
@click.option("--as", "viewer_id", help="Staff id of who asks (from --staff): employee figures need a supervisor.")
@click.option(
    "--format", "output", type=click.Choice(["table", "csv", "json", "pdf"]), default="table", show_default=True
)
@click.option(
    "--output",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of the terminal (needed for --format pdf).",
)
@click.option("--lang", "language", type=click.Choice(["en", "ar"]), default="en", show_default=True)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds old the projection may be and be used as it is (0: bring it up to date first).",
)
@click.pass_context
def report(
    ctx: click.Context,
    name: str,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    by: str | None,
    viewer_id: str | None,
    output: str,
    path: Path | None,
    language: str,
    governorate: str | None,
    zone: str | None,
    unit: str | None,
    service_point: str | None,
    service: str | None,
    channel: str | None,
    department: str | None,
    employee: str | None,
    max_age: float,
) -> None:
    """A report for decision makers (تقارير متخذي القرار): volume, time-limits, states, employees,
    revenue or ranking."""
    cli_state = state(ctx)
    today = local_date(utcnow())
    period = Period(_date(start, today.replace(day=1)), _date(end, today))
    viewer = ReportViewer.staff(cli_state.member(viewer_id)) if viewer_id is not None else None
    if output == "pdf" and path is None:
        raise click.UsageError("--format pdf writes a file: give --output FILE.pdf")
    app = cli_state.app
    store = SqlStore.open(cli_state.database)
    try:
        reports = Reports(
            store.engine,
            catalogue=app.catalogue,
            organisation=app.organisation,
            calendar=egypt_calendar(),
            max_age=datetime.timedelta(seconds=max_age),
        )
        filters = Filters(governorate, zone, unit, service_point, service, channel, department, employee)
        result = reports.run(name, period, filters, by=by, viewer=viewer)
    finally:
        store.close()
    if output == "pdf":
        # matplotlib is slow to import and optional (the reports extra): loaded for a PDF only.
        from localgov.reports.pdf import code_names, report_pdf

        assert path is not None
        path.write_bytes(report_pdf(result, code_names(app.catalogue, app.organisation)))
        click.echo(str(path))
        return
    text = _render(result, output, language)
    if path is not None:
        path.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _render(result: ReportResult, output: str, language: str) -> str:
    if output == "json":
        return json.dumps(result_data(result), ensure_ascii=False, indent=2) + "\n"
    tables = tables_of(result)
    if output == "csv":
        return "\n".join(_csv(table) for table in tables)
    return _describe(result.header) + "\n" + "\n".join(_text(table, language) for table in tables)


def _describe(header: ReportHeader) -> str:
    data = header_data(header)
    filters = ", ".join(f"{k}={v}" for k, v in data["filters"].items()) or "none"
    return (
        f"report: {header.name}  period: {header.period}  filters: {filters}"
        + (f"  by: {header.by}" if header.by else "")
        + f"\ndata as of: {header.as_of.isoformat(timespec='seconds')} (today: {header.today})\n"
    )


def _cell(value: Value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _text(table: Table, language: str) -> str:
    headings = [column.label.en if language == "en" else column.label.ar for column in table.columns]
    cells = [[_cell(value) for value in row] for row in table.rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headings)]
    title = table.title.en if language == "en" else table.title.ar
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        # Text left, figures right, as a reader scans a column of numbers.
        lines.append(
            "  ".join(
                (c.rjust(w) if i and _numeric(c) else c.ljust(w))
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    if not cells:
        lines.append("(no rows)")
    return "\n".join(lines) + "\n"


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).isdigit()


def _csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.key for column in table.columns])
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return buffer.getvalue()


@click.command("refresh-reports")
@click.option(
    "--every",
    type=click.FloatRange(min=1),
    help="Keep refreshing, every this many seconds (stop with Ctrl-C or SIGTERM); once if not given.",
)
@click.pass_context
def refresh_reports(ctx: click.Context, every: float | None) -> None:
    """Bring the report projection up to date with the requests and the ledger.

    Run on a schedule beside the workers, so reports (``report --max-age``, the web setting
    ``reports_max_age``) answer from a recent projection without each one scanning for changes.
    """
    cli_state = state(ctx)
    app = cli_state.app
    store = SqlStore.open(cli_state.database)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if every is not None else None
    try:
        reports = Reports(
            store.engine, catalogue=app.catalogue, organisation=app.organisation, calendar=egypt_calendar()
        )
        while True:
            done = reports.refresh()
            rebuilt = " (rebuilt for a new calendar)" if done.rebuilt else ""
            click.echo(
                f"{done.as_of.isoformat(timespec='seconds')}\t{done.requests} requests and "
                f"{done.orders} payment orders projected{rebuilt}"
            )
            if every is None or stop.wait(every):
                return
    except KeyboardInterrupt:
        return
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        store.close()


COMMANDS = [report, refresh_reports]
