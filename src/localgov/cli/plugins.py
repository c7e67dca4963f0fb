"""``localgov plugins``: what is installed and which hooks it implements."""

from __future__ import annotations

import json

import click

from localgov.cli.common import application

__all__ = ["COMMANDS"]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_all", is_flag=True, help="Include localgov's built-in plugins.")
@click.pass_context
def plugins(ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """List the loaded plugins with their versions and hooks."""
    infos = [i for i in application(ctx).plugins.info() if show_all or not i.builtin]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"name": i.name, "distribution": i.distribution, "version": i.version, "hooks": list(i.hooks)}
                    for i in infos
                ],
                indent=2,
            )
        )
        return
    if not infos:
        click.echo("no plugins installed")
    for info in infos:
        label = f"{info.distribution} {info.version}" if info.distribution else "built-in"
        click.echo(f"{info.name} ({label})")
        for hook in info.hooks:
            click.echo(f"  {hook}")


COMMANDS = (plugins,)
