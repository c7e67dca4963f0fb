"""``localgov demo --governorate qalyubia`` runs: a village request, and one taken at its post office."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from localgov.cli import cli


def test_the_qalyubia_demo_runs_both_village_requests(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--governorate", "qalyubia", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Kafr El Gazzar village local unit [village] ← مركز بنها / Banha markaz [markaz]" in output
    assert "channel: post_office (kafr_el_gazzar_post)" in output
    assert "Payment in cash at the post-office counter" in output
    assert output.count("signature and QR verified ✓") == 2
    assert "[qalyubia_building_permit]" in output and "[cairo_" not in output
    assert "history verifies ✓" in output and "Traceback" not in output
    for name in ("permit.pdf", "permit-post-office.pdf", "receipt.pdf", "trust-list.cose", "root.pem"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_cairo_stays_the_default() -> None:
    result = CliRunner().invoke(cli, ["demo", "--help"])
    assert result.exit_code == 0
    assert "[default: cairo]" in result.output
