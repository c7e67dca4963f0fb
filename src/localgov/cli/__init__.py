"""The ``localgov`` command.

Each command group lives in its own module and is attached here. Every deliberate refusal
(:class:`localgov.errors.LocalgovError`) is printed as a message and the command exits with
status 2; a traceback is never shown for one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from localgov.cli.common import CliState
from localgov.errors import LocalgovError

__all__ = ["cli", "main"]


class _LocalgovGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LocalgovError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(2)


@click.group(cls=_LocalgovGroup)
@click.version_option(package_name="localgov")
@click.option(
    "--db",
    "database",
    envvar="LOCALGOV_DATABASE",
    default="sqlite:///localgov.db",
    show_default=True,
    help="Database URL: sqlite:///FILE or postgresql+psycopg://...",
)
@click.option(
    "--staff",
    "staff_files",
    envvar="LOCALGOV_STAFF",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Staff roster file (TOML); repeatable.",
)
@click.option(
    "--audit-key-file",
    envvar="LOCALGOV_AUDIT_KEY_FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File holding the key of the history hash chain (keep it outside the database).",
)
@click.pass_context
def cli(ctx: click.Context, database: str, staff_files: tuple[Path, ...], audit_key_file: Path | None) -> None:
    """localgov: one-window citizen services (الشباك الواحد)."""
    ctx.obj = CliState(database, staff_files, audit_key_file)


def _attach_commands() -> None:
    from localgov.cli import (
        audit,
        catalogue,
        demo,
        letters,
        log,
        notifications,
        payments,
        pki,
        plugins,
        report,
        requests,
        serve,
        tokens,
        trust,
        verify,
        workflows,
    )

    for module in (
        catalogue,
        workflows,
        plugins,
        requests,
        letters,
        audit,
        pki,
        tokens,
        trust,
        verify,
        log,
        payments,
        notifications,
        report,
        serve,
        demo,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)
    verify.register_file_verifier(".pdf", _verify_pdf)


def _verify_pdf(path: Path, context: Any) -> int:
    # Imported when a PDF is verified: the PDF stack (pyHanko, fonts) is slow to load.
    from localgov.cli.documents import verify_pdf_file

    return verify_pdf_file(path, context)


_attach_commands()


def main() -> None:
    """Console-script entry point."""
    # Arabic output must survive a terminal or pipe that is not set to UTF-8.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    cli(prog_name="localgov")
