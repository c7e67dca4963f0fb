"""``localgov workflows``: the workflows of the catalogue, and their diagrams."""

from __future__ import annotations

import click

from localgov.cli.common import LanguageChoice, application, language_option, say
from localgov.requests.workflow import CompiledWorkflow

__all__ = ["COMMANDS"]


@click.group("workflows")
def workflows() -> None:
    """List workflows and draw them (مسارات العمل)."""


@workflows.command("list")
@language_option
@click.pass_context
def list_workflows(ctx: click.Context, language: LanguageChoice) -> None:
    for code, definition in sorted(application(ctx).catalogue.workflows.items()):
        click.echo(
            f"{code:20} {say(definition.name, language)}  ({len(definition.states)} states, {len(definition.actions)} actions)"
        )


@workflows.command("show")
@click.argument("code")
@click.option("--mermaid", is_flag=True, help="Print a Mermaid state diagram generated from the definition.")
@language_option
@click.pass_context
def show(ctx: click.Context, code: str, mermaid: bool, language: LanguageChoice) -> None:
    """A workflow's states, actions, roles and separation-of-duties rules."""
    catalogue = application(ctx).catalogue
    compiled = CompiledWorkflow(catalogue.workflow(code))
    if mermaid:
        click.echo(compiled.mermaid)
        return
    definition = compiled.definition
    click.echo(say(definition.name, language))
    click.echo("states:")
    for state in definition.states:
        notes = [
            n
            for n in (
                "start" if state.code == definition.initial else "",
                "final" if state.final else "",
                "clock paused" if state.clock == "paused" else "",
                f"{state.time_limit_days} working days" if state.time_limit_days else "",
            )
            if n
        ]
        click.echo(f"  {state.code:20} {say(state.name, language)}" + (f"  [{', '.join(notes)}]" if notes else ""))
    click.echo("actions:")
    for action in definition.actions:
        click.echo(
            f"  {action.code:20} {', '.join(action.sources)} -> {action.dest}  roles: {', '.join(action.roles)}"
            + (f"  duty: {action.duty}" if action.duty else "")
        )
    if definition.separation_of_duties:
        click.echo("separation of duties:")
        for rule in definition.separation_of_duties:
            click.echo(f"  whoever performs {rule.performed!r} may not perform {', '.join(map(repr, rule.forbids))}")


COMMANDS = (workflows,)
