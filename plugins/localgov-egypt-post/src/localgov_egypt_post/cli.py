"""``localgov-egypt-post reconcile BATCH``: the day's counter batch against the ledger, from a scheduler.

``localgov``'s own command line takes no plugin commands, so the plugin ships its own, built like
``localgov payments reconcile``: the database from ``--db``/``LOCALGOV_DATABASE``, the key shared
with the counter system from ``LOCALGOV_EGYPT_POST_KEY`` (never from the command line, where
``ps`` would show it). It exits 0 when the batch and the ledger agree, 1 when there are findings
(so a scheduler notices), 2 when the file is refused (the message names the line and the field).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from localgov.cli.common import CliState
from localgov.errors import LocalgovError
from localgov.payments import PaymentLedger, secret_from_env
from localgov_egypt_post.reconciliation import BatchReconciliation, reconcile_batch_file

__all__ = ["KEY_VARIABLE", "cli", "main"]

KEY_VARIABLE = "LOCALGOV_EGYPT_POST_KEY"


@click.group()
@click.option("--db", "database", envvar="LOCALGOV_DATABASE", default="sqlite:///localgov.db", show_default=True)
@click.option(
    "--audit-key-file",
    envvar="LOCALGOV_AUDIT_KEY_FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File holding the key of the history hash chain.",
)
@click.pass_context
def cli(ctx: click.Context, database: str, audit_key_file: Path | None) -> None:
    """Egypt Post counters for localgov (عدادات البريد المصري)."""
    ctx.obj = CliState(database, (), audit_key_file)


@cli.command("reconcile")
@click.argument("batch", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def reconcile_command(ctx: click.Context, batch: Path, as_json: bool) -> None:
    """Verify the counter system's daily BATCH file and reconcile it against the ledger."""
    state: CliState = ctx.obj
    try:
        key = secret_from_env(KEY_VARIABLE)
        engine = state.engine
        report = reconcile_batch_file(engine, batch, key, ledger=PaymentLedger.for_engine(engine))
    except LocalgovError as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(2)
    click.echo(json.dumps(_data(report), ensure_ascii=False, indent=2) if as_json else _text(report))
    if report.findings:
        ctx.exit(1)


def _data(report: BatchReconciliation) -> dict[str, object]:
    return {
        "day": report.day.isoformat(),
        "matched": list(report.matched),
        "credited": list(report.credited),
        "findings": [
            {
                "kind": f.kind,
                "merchant_ref": f.merchant_ref,
                "receipt": f.receipt,
                "line": f.line,
                "detail": f.detail,
                "batch_amount": None if f.batch_amount is None else str(f.batch_amount),
                "ledger_amount": None if f.ledger_amount is None else str(f.ledger_amount),
            }
            for f in report.findings
        ],
    }


def _text(report: BatchReconciliation) -> str:
    lines = [
        f"دفعة عدادات البريد — post-office counter batch: {report.day.isoformat()}",
        f"مطابقة — matched: {len(report.matched)}",
        f"أضيفت من الدفعة — credited from the batch: {len(report.credited)}",
    ]
    for f in report.findings:
        where = "" if f.line is None else f" (line {f.line})"
        lines.append(f"  [{f.kind}] {f.merchant_ref or '-'}{where}: {f.detail}")
    return "\n".join(lines)


def main() -> None:
    cli()
