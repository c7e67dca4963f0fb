"""``localgov report``: the hand-worked week as a table, CSV and JSON; bad input is one line, exit 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from localgov.cli import cli
from tests.reports.week import WEEK_STAFF, play_week
from tests.requests.support import open_engine

WEEK = ("--from", "2026-04-12", "--to", "2026-04-16")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("report")
    database = f"sqlite:///{folder / 'lg.db'}"
    engine = open_engine(database, staff=WEEK_STAFF)
    play_week(engine)
    engine.store.close()  # type: ignore[attr-defined]
    staff = folder / "staff.toml"
    staff.write_text(
        '[staff.head1]\nname = "head1"\nunit = "zeitoun"\nroles = ["approver"]\n\n'
        '[staff.eng1]\nname = "eng1"\nunit = "zeitoun"\nroles = ["engineer"]\n',
        encoding="utf-8",
    )
    return ["--db", database, "--staff", str(staff)]


def run(workspace: list[str], *args: str | Path) -> Result:
    return CliRunner().invoke(cli, [*workspace, "report", *(str(a) for a in args)])


def test_a_table_in_the_terminal_states_what_it_covers(workspace: list[str]) -> None:
    result = run(workspace, "volume", *WEEK, "--unit", "zeitoun")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("report: volume  period: 2026-04-12..2026-04-16  filters: unit=zeitoun")
    assert lines[1].startswith("data as of: ")
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split()[1:6] == ["4", "1", "1", "1", "2"]


def test_csv_by_channel(workspace: list[str]) -> None:
    result = run(workspace, "time-limits", *WEEK, "--by", "channel", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["group"], r["completed"], r["within_limit_percent"], r["taken_median"]) for r in rows] == [
        ("front_desk", "1", "100.0", "2"),
        ("Total", "1", "100.0", "2"),
    ]


def test_json_carries_the_header(workspace: list[str]) -> None:
    result = run(workspace, "states", *WEEK, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["report"], data["period"], data["filters"]) == (
        "states",
        {"from": "2026-04-12", "to": "2026-04-16"},
        {},
    )
    rows = {row["state"]: row for row in data["tables"][0]["rows"]}
    assert rows["document_check"]["stays"] == 5


def test_employee_figures_for_a_supervisor_only(workspace: list[str]) -> None:
    allowed = run(workspace, "employees", *WEEK, "--as", "head1", "--format", "json")
    assert allowed.exit_code == 0, allowed.output
    employees = {row["employee"] for row in json.loads(allowed.output)["tables"][0]["rows"]}
    assert employees == {"clerk1", "doc1", "eng1", "fee1", "head1", "insp1", "iss1"}
    refused = run(workspace, "employees", *WEEK, "--as", "eng1")
    assert refused.exit_code == 2
    assert refused.output.startswith("error: employee figures are for supervisors")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("volume", "--from", "2026-04-16", "--to", "2026-04-12"), "error: the period ends (2026-04-12) before"),
        (("volume", "--unit", "atlantis"), "error: unknown unit 'atlantis'"),
        (("volume", "--from", "16/04/2026"), "Invalid value for '--from'"),
        (("weather",), "'weather' is not one of 'volume'"),
        (("revenue", "--by", "unit"), "error: the revenue report has no grouping"),
        (("states", "--format", "pdf"), "--format pdf writes a file"),
    ],
)
def test_bad_input_is_one_clear_line(workspace: list[str], args: tuple[str, ...], message: str) -> None:
    result = run(workspace, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_pdf_in_arabic(workspace: list[str], tmp_path: Path) -> None:
    path = tmp_path / "limits.pdf"
    result = run(workspace, "time-limits", *WEEK, "--by", "unit", "--format", "pdf", "--output", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"%PDF-")
