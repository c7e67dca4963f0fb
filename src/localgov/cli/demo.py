"""``localgov demo``: the end-to-end run behind ``make demo``."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["COMMANDS"]


@click.command("demo")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the database and the documents the demo produces.",
)
def demo(output: Path) -> None:
    """Run a building-permit request in Zeitoun, Cairo, from the front desk to issue."""
    from localgov.demo import run_demo

    result = run_demo(output, echo=click.echo)
    if result.findings:
        raise SystemExit(1)


COMMANDS = (demo,)
