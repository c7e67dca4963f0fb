"""How old a report's data may be: refreshed before each report, or shared within a maximum age."""

from __future__ import annotations

import datetime
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from localgov.cli import cli
from localgov.reports import Filters, Period, Reports
from localgov.requests import Engine
from tests.reports.conftest import reports_over
from tests.reports.week import AS_OF, WEEK_STAFF, cairo_time
from tests.requests.support import open_engine, submit_building_permit

APRIL = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
ZEITOUN = Filters(unit="zeitoun")


def _reports(engine: Engine, now: list[datetime.datetime], max_age: datetime.timedelta | None) -> Reports:
    return reports_over(engine, clock=lambda: now[0], max_age=max_age)


def _received(reports: Reports) -> int:
    return reports.volume(APRIL, ZEITOUN).total.received


def test_reports_within_the_maximum_age_share_one_refresh(week_engine: Engine) -> None:
    now = [AS_OF]
    reports = _reports(week_engine, now, datetime.timedelta(minutes=5))
    submit_building_permit(week_engine, at=cairo_time(2026, 4, 14, 9))
    assert _received(reports) == 1
    first = reports.volume(APRIL, ZEITOUN).header.as_of
    submit_building_permit(week_engine, at=cairo_time(2026, 4, 15, 9))
    now[0] = AS_OF + datetime.timedelta(minutes=4)
    assert _received(reports) == 1  # the projection of four minutes ago, as it is
    assert reports.volume(APRIL, ZEITOUN).header.as_of == first  # and the header says so
    now[0] = AS_OF + datetime.timedelta(minutes=6)
    assert _received(reports) == 2


def test_a_maximum_age_of_zero_refreshes_before_each_report(week_engine: Engine) -> None:
    now = [AS_OF]
    reports = _reports(week_engine, now, datetime.timedelta(0))
    assert _received(reports) == 0
    submit_building_permit(week_engine, at=cairo_time(2026, 4, 14, 9))
    assert _received(reports) == 1


def test_without_a_maximum_age_only_the_first_report_refreshes(week_engine: Engine) -> None:
    now = [AS_OF]
    reports = _reports(week_engine, now, None)
    submit_building_permit(week_engine, at=cairo_time(2026, 4, 14, 9))
    assert _received(reports) == 1  # never projected: a first refresh whatever the policy
    submit_building_permit(week_engine, at=cairo_time(2026, 4, 15, 9))
    now[0] = AS_OF + datetime.timedelta(days=1)
    assert _received(reports) == 1
    assert reports.refresh().requests == 1  # what a scheduled refresher does
    assert _received(reports) == 2


def test_a_new_process_refreshes_once_whatever_the_age(week_engine: Engine) -> None:
    """The first refresh of a process is the one that notices a changed calendar: it always runs."""
    now = [AS_OF]
    _received(_reports(week_engine, now, datetime.timedelta(days=1)))
    submit_building_permit(week_engine, at=cairo_time(2026, 4, 14, 9))
    assert _received(_reports(week_engine, now, datetime.timedelta(days=1))) == 1


def test_refresh_reports_once_and_on_a_schedule(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'lg.db'}"
    engine = open_engine(database, staff=WEEK_STAFF)
    submit_building_permit(engine)
    once = CliRunner().invoke(cli, ["--db", database, "refresh-reports"])
    assert once.exit_code == 0, once.output
    assert "\t1 requests and 0 payment orders projected" in once.output
    keeper = subprocess.Popen(
        [sys.executable, "-m", "localgov.cli", "--db", database, "refresh-reports", "--every", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert keeper.stdout is not None
    try:
        first = keeper.stdout.readline()  # caught up at start (the request the first run projected)
        submit_building_permit(engine)
        later = []  # then the new one, unasked, at one of the next refreshes
        while "\t1 requests" not in "".join(later[-1:]) and len(later) < 30:
            later.append(keeper.stdout.readline())
    finally:
        keeper.send_signal(signal.SIGTERM)
        _, err = keeper.communicate(timeout=30)
        engine.store.close()  # type: ignore[attr-defined]
    assert keeper.returncode == 0, err
    counts = [line.split("\t")[1].split()[0] for line in (first, *later)]
    assert counts[0] == "0" and counts[-1] == "1" and set(counts[1:-1]) <= {"0"}, counts
