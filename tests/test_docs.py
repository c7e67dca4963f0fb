"""The documentation stays true: generated diagrams, examples and links match the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from localgov.app import Localgov
from localgov.cli import cli
from localgov.requests.workflow import CompiledWorkflow

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
SUEZ = ROOT / "examples" / "localgov-suez"


@pytest.mark.parametrize("workflow", ["permit", "renewal", "payment"])
def test_lifecycle_diagrams_are_generated_from_the_definitions(workflow: str) -> None:
    text = (DOCS / "lifecycle.md").read_text("utf-8")
    section = text.split(f"### {workflow}\n", 1)[1]
    diagram = re.search(r"```mermaid\n(.*?)\n```", section, re.DOTALL)
    assert diagram is not None
    expected = CompiledWorkflow(Localgov(plugins=[]).catalogue.workflow(workflow)).mermaid
    assert diagram.group(1) == expected, f"regenerate with: localgov workflows show {workflow} --mermaid"


def test_relative_links_in_the_docs_resolve() -> None:
    broken = []
    for page in [ROOT / "README.md", *DOCS.rglob("*.md"), *ROOT.glob("plugins/*/README.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken


def test_tutorial_shows_the_example_plugin_files_verbatim() -> None:
    tutorial = (DOCS / "tutorial" / "governorate-plugin.md").read_text("utf-8")
    for name in (
        "pyproject.toml",
        "src/localgov_suez/data/organisation.toml",
        "src/localgov_suez/data/services.toml",
        "src/localgov_suez/__init__.py",
    ):
        assert (SUEZ / name).read_text("utf-8").strip() in tutorial, name


def test_tutorial_example_checks_clean_and_its_five_mistakes_are_reported(tmp_path: Path) -> None:
    ok = CliRunner().invoke(cli, ["catalogue", "check", str(SUEZ / "src" / "localgov_suez" / "data")])
    assert ok.exit_code == 0 and "ok: Suez: 0 zones, 1 local units, 1 service points" in ok.output

    text = (SUEZ / "src" / "localgov_suez" / "data" / "services.toml").read_text("utf-8")
    for old, new in (
        ('category = "shops"', 'category = "shop"'),
        ("time_limit_days = 10", 'time_limit_days = "ten"'),
        ('type = "health_certificate"\n', 'type = "health_certificate"\nmax_size_mb = "five"\n'),
        ('rule = "suez_kiosk_licence_fee"', 'rule = "suez_kiosk_fee"'),
        ('name = "location"\n', 'name = "location"\nlable = "x"\n'),
    ):
        assert old in text
        text = text.replace(old, new)
    broken = tmp_path / "services.toml"
    broken.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["catalogue", "check", str(broken)])
    assert result.exit_code == 2
    tutorial = (DOCS / "tutorial" / "governorate-plugin.md").read_text("utf-8")
    for line in result.output.splitlines():
        shown = line.replace(str(broken), "services.toml")
        assert shown in tutorial, shown


def test_readme_tour_is_the_runnable_example() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    tour = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert tour is not None
    example = (ROOT / "examples" / "embed_sqlite.py").read_text("utf-8")
    assert tour.group(1).replace('"sqlite:///localgov.db"', '"sqlite://"') in example
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "embed_sqlite.py")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "استخراج رخصة بناء" in done.stdout
