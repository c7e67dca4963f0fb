"""``localgov audit verify``: check that no request's history was edited, deleted or reordered."""

from __future__ import annotations

import click

from localgov.cli.common import state

__all__ = ["COMMANDS"]


@click.group("audit")
def audit() -> None:
    """Verify the tamper-evident history (سجل التدقيق)."""


@audit.command("verify")
@click.argument("request_ids", nargs=-1)
@click.pass_context
def verify(ctx: click.Context, request_ids: tuple[str, ...]) -> None:
    """Verify the history of the given requests, or of every request.

    Exit status 0 when everything verifies, 1 when any finding is reported (each one named).
    """
    engine = state(ctx).engine
    findings = {rid: engine.verify_history(rid) for rid in request_ids} if request_ids else engine.audit()
    findings = {rid: found for rid, found in findings.items() if found}
    if not findings:
        count = len(request_ids) if request_ids else len(engine.store.request_ids())
        click.echo(f"ok: the history of {count} request{'s' if count != 1 else ''} verifies")
        return
    for request_id, found in sorted(findings.items()):
        for finding in found:
            click.echo(f"{request_id}: {finding}")
    click.echo(f"history does not verify: {sum(map(len, findings.values()))} findings in {len(findings)} requests", err=True)
    ctx.exit(1)


COMMANDS = (audit,)
