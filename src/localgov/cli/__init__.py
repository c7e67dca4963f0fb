"""The ``localgov`` command.

Each command group lives in its own module and is attached here. Every deliberate refusal
(:class:`localgov.errors.LocalgovError`) is printed as a message and the command exits with
status 2; a traceback is never shown for one.
"""

from __future__ import annotations

import sys
from typing import Any

import click

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
def cli() -> None:
    """localgov: one-window citizen services (الشباك الواحد)."""


def _attach_commands() -> None:
    from localgov.cli import catalogue, plugins

    for module in (catalogue, plugins):
        for command in module.COMMANDS:
            cli.add_command(command)


_attach_commands()


def main() -> None:
    """Console-script entry point."""
    # Arabic output must survive a terminal or pipe that is not set to UTF-8.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    cli(prog_name="localgov")
