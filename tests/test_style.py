"""The tree is formatted by ``ruff format`` and clean under ``ruff check``, as ``make lint`` asks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
FORMATTED = ["src", "plugins", "tests", "bench", "examples"]
CHECKED = ["src", "plugins", "tests"]


def _ruff(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_tree_is_formatted() -> None:
    result = _ruff("format", "--check", *FORMATTED)
    assert result.returncode == 0, f"run `ruff format {' '.join(FORMATTED)}`:\n{result.stdout}{result.stderr}"


def test_the_tree_passes_ruff_check() -> None:
    result = _ruff("check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr
