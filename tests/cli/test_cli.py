"""The localgov command: what it prints and its exit statuses, with no traceback for a refusal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from localgov.app import Localgov
from localgov.cli import cli
from localgov.demo import _pdf

NATIONAL_ID = "27803140123452"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_services_list_in_arabic_and_english() -> None:
    arabic, english = run("services", "list", "--lang", "ar"), run("services", "list", "--lang", "en")
    assert arabic.exit_code == english.exit_code == 0
    assert "استخراج رخصة بناء" in arabic.output and "Building permit" not in arabic.output
    assert "Building permit" in english.output and "رخصة بناء" not in english.output


def test_services_show_marks_placeholders() -> None:
    result = run("services", "show", "building_permit")
    assert result.exit_code == 0
    assert "form fields:" in result.output and "built_area (area, required)" in result.output
    assert "placeholder" in result.output


def test_unknown_service_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["services", "show", "flying_permit"])
    assert result.exit_code == 2
    assert "unknown service 'flying_permit'" in result.output
    assert "Traceback" not in result.output


def test_catalogue_check_lists_all_five_mistakes(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    service = valid_catalogue["services"]["test_permit"]
    service["category"] = "bulding"
    service["channels"] = ["front_desk", "fax"]
    service["documents"][1]["max_size_mb"] = "ten"
    service["fees"][0]["rule"] = "no_such_rule"
    service["time_limit_days"] = "thirty"
    path = write_toml(valid_catalogue, "mygov/services/building.toml")
    result = CliRunner().invoke(cli, ["catalogue", "check", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "building.toml: services.test_permit." in line]
    assert len(lines) == 5, result.output
    for fragment in (
        ".category:",
        ".channels[1]:",
        ".documents[1].max_size_mb:",
        ".fees[0].rule:",
        ".time_limit_days:",
    ):
        assert any(fragment in line for line in lines), fragment
    assert "5 problems found" in result.output and "Traceback" not in result.output


def test_catalogue_check_of_a_valid_file(write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]) -> None:
    result = run("catalogue", "check", write_toml(valid_catalogue))
    national = len(Localgov(plugins=[]).catalogue.services)  # the core's national services
    assert result.exit_code == 0 and result.output.startswith(f"ok: {1 + national} services")


def test_plugins_lists_cairo_with_its_hooks() -> None:
    result = run("plugins")
    assert result.exit_code == 0
    assert "cairo (localgov-cairo 0.1.0.dev0)" in result.output
    assert "register_catalogue" in result.output and "register_organisation" in result.output


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    staff = tmp_path / "staff.toml"
    staff.write_text(
        "".join(
            f'[staff.{sid}]\nname = "{sid}"\nunit = "zeitoun"\nroles = ["{role}"]\n\n'
            for sid, role in (("clerk", "front_desk_clerk"), ("docs", "document_checker"), ("eng", "engineer"))
        ),
        encoding="utf-8",
    )
    for kind in ("national_id_copy", "ownership_proof"):
        (tmp_path / f"{kind}.pdf").write_bytes(_pdf(kind))
    return {"db": tmp_path / "lg.db", "staff": staff, "dir": tmp_path}


def submit(ws: dict[str, Path], *extra: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "--db",
            f"sqlite:///{ws['db']}",
            "--staff",
            str(ws["staff"]),
            "request",
            "submit",
            "building_permit",
            "--unit",
            "zeitoun",
            "--channel",
            "front_desk",
            "--point",
            "zeitoun_tc",
            "--as",
            "clerk",
            "--applicant-id",
            NATIONAL_ID,
            "--applicant-name",
            "محمد أحمد",
            "--applicant-mobile",
            "01012345678",
            "-f",
            "applicant_capacity=owner",
            "-f",
            "parcel_reference=ZTN/1",
            "-f",
            "site_address=شارع ١",
            "-f",
            "floors=3",
            "-f",
            "height_m=9",
            "-f",
            "built_area=120",
            "-f",
            "building_use=residential",
            "-f",
            "estimated_cost=900000",
            "--document",
            f"national_id_copy={ws['dir'] / 'national_id_copy.pdf'}",
            *extra,
        ],
    )


def test_request_lifecycle_on_the_command_line(workspace: dict[str, Path]) -> None:
    submitted = submit(workspace, "--json")
    assert submitted.exit_code == 0, submitted.output
    tracking = submitted.output.split('"tracking_number": "')[1].split('"')[0]
    base = ["--db", f"sqlite:///{workspace['db']}", "--staff", str(workspace["staff"])]

    refused = CliRunner().invoke(cli, [*base, "request", "act", tracking, "accept_documents", "--as", "docs"])
    assert refused.exit_code == 2 and "required documents not supplied" in refused.output

    sent_back = CliRunner().invoke(
        cli, [*base, "request", "act", tracking, "request_missing", "--as", "docs", "--comment", "مستند الملكية"]
    )
    assert sent_back.exit_code == 0 and "missing: مستند الملكية" in sent_back.output

    shown = CliRunner().invoke(cli, [*base, "request", "show", tracking, "--as", "eng"])
    assert shown.exit_code == 0 and "(hidden)" in shown.output and NATIONAL_ID not in shown.output

    history = CliRunner().invoke(cli, [*base, "request", "history", tracking])
    assert history.exit_code == 0 and "submit" in history.output and "request_missing" in history.output

    verified = CliRunner().invoke(cli, [*base, "audit", "verify"])
    assert verified.exit_code == 0 and "ok: the history of 1 request verifies" in verified.output


def test_audit_verify_names_a_tampered_event(workspace: dict[str, Path]) -> None:
    import sqlite3

    assert submit(workspace).exit_code == 0
    with sqlite3.connect(workspace["db"]) as connection:
        connection.execute("UPDATE lg_events SET actor = 'someone-else' WHERE seq = 1")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{workspace['db']}", "audit", "verify"])
    assert result.exit_code == 1
    assert "event 1 (submit) was edited" in result.output


def test_refusals_exit_2_without_traceback(workspace: dict[str, Path]) -> None:
    result = submit(workspace, "-f", "floors=many")
    assert result.exit_code == 2
    assert "floors: expected a number" in result.output and "Traceback" not in result.output


def test_console_script_prints_arabic_through_a_pipe() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from localgov.cli import main; main()", "services", "list", "--lang", "ar"],
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "رخصة بناء" in done.stdout.decode("utf-8")


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = run("demo", "--output", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "SeparationOfDuties" in result.output
    assert "history verifies" in result.output
    assert "Permit number: 2026/ZTN/000001" in result.output
    for produced in ("permit-qr.png", "trust-list.cose", "receipt.pdf", "permit.pdf", "notice-missing-documents.pdf"):
        assert (tmp_path / "demo" / produced).exists(), produced
    assert "Pay-at-Fawry reference" in result.output and "signature and QR verified" in result.output
    # The technical review's letter to Matareya, numbered out and in, and the clock it stopped.
    assert "outgoing: C-ZTN/2026/OUT/000001   وارد / incoming: C-MTR/2026/IN/000001" in result.output
    assert "expected by: 2026-11-26 → 2026-12-01" in result.output
    verified = run(
        "verify",
        tmp_path / "demo" / "permit.pdf",
        "--trust",
        tmp_path / "demo" / "trust-list.cose",
        "--root",
        tmp_path / "demo" / "root.pem",
    )
    assert verified.exit_code == 0, verified.output
    assert (tmp_path / "demo" / "localgov.db").exists()
