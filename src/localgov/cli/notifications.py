"""``localgov notifications``: deliver the outbox, see where it stands, opt-outs, dead letters.

Attached to the ``localgov`` command from :data:`COMMANDS`::

    localgov notifications dispatch [--notifier CODE | --file PATH] [--once] [--batch N]
    localgov notifications status [--request ID] [--json]
    localgov notifications opt-out PHONE     localgov notifications opt-in PHONE
    localgov notifications requeue MESSAGE_ID

Notifiers come from the installed plugins (``smpp`` reads ``LOCALGOV_SMPP_*`` from the
environment); ``--file`` writes the messages to a file instead, for development.
"""

from __future__ import annotations

import datetime
import json
import signal
import threading
import time
from pathlib import Path

import click

from localgov.cli.common import state
from localgov.notifications import Dispatcher, FileNotifier, InboundHandler, Notifier, NotifierConfigurationError
from localgov.phone import normalise_mobile
from localgov.storage import SqlOutbox

__all__ = ["COMMANDS", "notifications"]


@click.group()
def notifications() -> None:
    """Messages to citizens: delivery, status, opt-outs (رسائل المواطنين)."""


def _outbox(ctx: click.Context) -> SqlOutbox:
    return SqlOutbox(state(ctx).engine.store.engine)  # type: ignore[attr-defined]


def _notifier(ctx: click.Context, code: str | None, file: Path | None) -> Notifier:
    if file is not None:
        return FileNotifier(file)
    available = state(ctx).app.notifiers
    if code is None and len(available) == 1:
        return next(iter(available.values()))
    if code is not None and code in available:
        return available[code]
    known = ", ".join(sorted(available)) or "none (configure one, e.g. LOCALGOV_SMPP_HOST=..., or pass --file)"
    wanted = "choose one with --notifier" if code is None else f"no notifier {code!r}"
    raise NotifierConfigurationError(f"{wanted}; notifiers: {known}")


@notifications.command("dispatch")
@click.option("--notifier", "code", help="The notifier's code (when several are installed).")
@click.option("--file", type=click.Path(dir_okay=False, path_type=Path), help="Write messages to this file instead.")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True, help="Messages claimed at once.")
@click.pass_context
def dispatch_command(ctx: click.Context, code: str | None, file: Path | None, once: bool, batch: int) -> None:
    """Deliver the outbox (until interrupted, or --once); answer inbound SMS where the notifier can."""
    outbox = _outbox(ctx)
    notifier = _notifier(ctx, code, file)
    on_inbound = getattr(notifier, "on_inbound", None)
    if callable(on_inbound):
        on_inbound(InboundHandler(state(ctx).engine, outbox).answer)
    dispatcher = Dispatcher(outbox, notifier, batch=batch)
    if once:
        done = dispatcher.drain()
        click.echo(f"sent {done.sent}, retried {done.retried}, dead {done.dead}, suppressed {done.suppressed}")
        return
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    click.echo(f"delivering through {notifier.code}; Ctrl-C to stop", err=True)
    dispatcher.run(stop)


@notifications.command("status")
@click.option("--request", "request_id", help="The messages of one request.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status_command(ctx: click.Context, request_id: str | None, as_json: bool) -> None:
    """How many messages are in each state, or one request's messages."""
    outbox = _outbox(ctx)
    if request_id is None:
        counts = outbox.counts()
        if as_json:
            click.echo(json.dumps(counts, sort_keys=True))
            return
        for name, count in sorted(counts.items()):
            click.echo(f"{name:12} {count}")
        return
    records = outbox.notices(request_id=request_id)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"message_id": r.message_id, "kind": r.kind, "state": r.state, "attempts": r.attempts}
                    | ({"last_error": r.last_error} if r.last_error else {})
                    for r in records
                ],
                ensure_ascii=False,
            )
        )
        return
    for record in records:
        error = f"  ({record.last_error})" if record.last_error else ""
        click.echo(f"{record.message_id:40} {record.state:12} {record.text}{error}")


@notifications.command("opt-out")
@click.argument("phone")
@click.pass_context
def opt_out_command(ctx: click.Context, phone: str) -> None:
    """Send this number only the messages that must be sent (docs/notifications.md)."""
    number = normalise_mobile(phone)
    _outbox(ctx).opt_out(number, datetime.datetime.now(datetime.UTC).isoformat())
    click.echo(f"{number}: opted out of informational messages")


@notifications.command("opt-in")
@click.argument("phone")
@click.pass_context
def opt_in_command(ctx: click.Context, phone: str) -> None:
    """Send this number every message again."""
    number = normalise_mobile(phone)
    _outbox(ctx).opt_in(number)
    click.echo(f"{number}: every message again")


@notifications.command("requeue")
@click.argument("message_id")
@click.pass_context
def requeue_command(ctx: click.Context, message_id: str) -> None:
    """Try a dead letter again from its first attempt."""
    if not _outbox(ctx).requeue(message_id, at=time.time()):
        raise click.BadParameter(f"{message_id!r} is not a dead letter", param_hint="MESSAGE_ID")
    click.echo(f"{message_id}: queued again")


COMMANDS = [notifications]
