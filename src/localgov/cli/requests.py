"""``localgov request``: submit, show, act on and follow citizens' requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from localgov.cli.common import LanguageChoice, language_option, say, state
from localgov.requests import DocumentUpload, Engine
from localgov.requests.model import Actor, Applicant, Citizen, Request

__all__ = ["COMMANDS"]

MEDIA_BY_SUFFIX = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}


def _uploads(specs: tuple[str, ...]) -> list[DocumentUpload]:
    uploads = []
    for spec in specs:
        kind, separator, path_text = spec.partition("=")
        if not separator or not kind or not path_text:
            raise click.BadParameter(f"expected TYPE=PATH, got {spec!r}", param_hint="--document")
        path = Path(path_text)
        if not path.is_file():
            raise click.BadParameter(f"{path} is not a file", param_hint="--document")
        media = MEDIA_BY_SUFFIX.get(path.suffix.lower())
        if media is None:
            raise click.BadParameter(f"{path}: only {', '.join(MEDIA_BY_SUFFIX)} files", param_hint="--document")
        uploads.append(DocumentUpload(kind, path.read_bytes(), media, path.name))
    return uploads


def _fields(specs: tuple[str, ...]) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for spec in specs:
        name, separator, value = spec.partition("=")
        if not separator or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {spec!r}", param_hint="--field")
        if name in form:
            previous = form[name]
            form[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            form[name] = value
    return form


def _actor(ctx: click.Context, staff_id: str | None, citizen: str | None) -> Actor:
    if citizen is not None:
        return Citizen(citizen)
    if staff_id is None:
        raise click.UsageError("say who acts: --as STAFF_ID (an employee) or --citizen NATIONAL_ID")
    return state(ctx).member(staff_id)


def describe(engine: Engine, request: Request, language: LanguageChoice) -> list[str]:
    """A request in a few bilingual lines: the lines the demo and ``request show`` print."""
    service = engine.catalogue.service(request.service, request.governorate)
    workflow = engine.workflow_of(request).definition
    current = workflow.state(request.state)
    assert current is not None
    lines = [
        f"{request.id}  {say(service.name, language)}",
        f"  state: {say(current.name, language)} (version {request.version})",
        f"  due: {request.due_date.isoformat()}"
        + (f"; this step by {request.state_due_date.isoformat()}" if request.state_due_date else "")
        + ("; clock paused" if request.paused_since else ""),
    ]
    if request.assigned_to:
        lines.append(f"  assigned to: {request.assigned_to}")
    if request.missing:
        lines.append(f"  missing: {request.missing}")
    if request.invoice is not None:
        lines.append(f"  fees: EGP {request.invoice.total} (paid {request.paid})")
    if request.issued is not None:
        expiry = f", valid until {request.issued.expires_on.isoformat()}" if request.issued.expires_on else ""
        lines.append(f"  issued: {request.issued.number} on {request.issued.issued_on.isoformat()}{expiry}")
    if request.reason:
        lines.append(f"  reason: {request.reason}")
    return lines


@click.group("request")
def request_group() -> None:
    """Submit, show and act on requests (الطلبات)."""


@request_group.command("submit")
@click.argument("service")
@click.option("--unit", required=True, help="Local unit code, e.g. zeitoun.")
@click.option("--channel", required=True, help="front_desk, portal, mobile_unit, post_office.")
@click.option("--point", "service_point", help="Service point where it is received.")
@click.option("--as", "staff_id", help="The receiving employee's staff id.")
@click.option("--citizen", help="Submit as the applicant (portal), by national ID.")
@click.option("--applicant-id", required=True, help="Applicant's national ID number.")
@click.option("--applicant-name", required=True)
@click.option("--applicant-mobile", required=True)
@click.option("-f", "--field", "fields", multiple=True, help="Form field NAME=VALUE; repeat for multi-choice.")
@click.option("--document", "documents", multiple=True, help="Document TYPE=PATH (pdf, jpeg, png).")
@click.option("--idempotency-key", help="Retrying with the same key never creates a second request.")
@click.option("--json", "as_json", is_flag=True)
@language_option
@click.pass_context
def submit(
    ctx: click.Context,
    service: str,
    unit: str,
    channel: str,
    service_point: str | None,
    staff_id: str | None,
    citizen: str | None,
    applicant_id: str,
    applicant_name: str,
    applicant_mobile: str,
    fields: tuple[str, ...],
    documents: tuple[str, ...],
    idempotency_key: str | None,
    as_json: bool,
    language: LanguageChoice,
) -> None:
    """Receive a request; print its tracking number and access code."""
    engine = state(ctx).engine
    actor = Citizen(citizen) if citizen else _actor(ctx, staff_id, None)
    request = engine.submit(
        service,
        unit=unit,
        channel=channel,
        service_point=service_point,
        actor=actor,
        applicant=Applicant(applicant_id, applicant_name, applicant_mobile),
        form=_fields(fields),
        documents=_uploads(documents),
        idempotency_key=idempotency_key,
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "tracking_number": request.id,
                    "access_code": request.access_code,
                    "state": request.state,
                    "due_date": request.due_date.isoformat(),
                }
            )
        )
        return
    for line in describe(engine, request, language):
        click.echo(line)
    click.echo(f"  access code: {request.access_code}")


@request_group.command("show")
@click.argument("request_id")
@click.option("--as", "staff_id", help="Show the request as this employee sees it.")
@language_option
@click.pass_context
def show(ctx: click.Context, request_id: str, staff_id: str | None, language: LanguageChoice) -> None:
    """A request's state, due dates, fees and the actions now possible."""
    engine = state(ctx).engine
    request = engine.get(request_id)
    actor = state(ctx).member(staff_id) if staff_id else None
    shown = engine.view(request, actor) if actor is not None else request
    for line in describe(engine, shown, language):
        click.echo(line)
    click.echo(f"  applicant: {shown.applicant.name} ({shown.applicant.national_id}, {shown.applicant.mobile})")
    for name, value in shown.form.items():
        click.echo(f"  {name}: {value}")
    for document in shown.documents:
        click.echo(
            f"  document {document.type}: {document.media_type}, {document.size} bytes, sha256 {document.sha256[:16]}…"
        )
    actions = engine.allowed_actions(request, actor) if actor is not None else engine.allowed_actions(request)
    click.echo("  actions: " + (", ".join(f"{a.code} ({say(a.label, language)})" for a in actions) or "none"))


@request_group.command("act")
@click.argument("request_id")
@click.argument("action")
@click.option("--as", "staff_id", help="The acting employee's staff id.")
@click.option("--citizen", help="Act as the applicant, by national ID.")
@click.option("--role", help="The role to act in, when the employee holds several.")
@click.option("--comment", help="Reason or note (required for rejections and send-backs).")
@click.option("--document", "documents", multiple=True, help="Document TYPE=PATH handed in with the action.")
@click.option("--expect-version", type=int, help="Refuse if the request changed since this version.")
@language_option
@click.pass_context
def act(
    ctx: click.Context,
    request_id: str,
    action: str,
    staff_id: str | None,
    citizen: str | None,
    role: str | None,
    comment: str | None,
    documents: tuple[str, ...],
    expect_version: int | None,
    language: LanguageChoice,
) -> None:
    """Take an action on a request (accept_documents, approve, issue...)."""
    engine = state(ctx).engine
    request = engine.act(
        request_id,
        action,
        _actor(ctx, staff_id, citizen),
        role=role,
        comment=comment,
        documents=_uploads(documents),
        expected_version=expect_version,
    )
    for line in describe(engine, request, language):
        click.echo(line)


@request_group.command("history")
@click.argument("request_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def history(ctx: click.Context, request_id: str, as_json: bool) -> None:
    """Every recorded action on a request, oldest first, with its hash."""
    events = state(ctx).engine.history(request_id)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "seq": e.seq,
                        "at": e.at.isoformat(),
                        "actor": e.actor,
                        "role": e.role,
                        "action": e.action,
                        "from": e.from_state,
                        "to": e.to_state,
                        "data": e.data,
                        "hash": e.hash,
                    }
                    for e in events
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for e in events:
        move = f"{e.from_state} -> {e.to_state}" if e.from_state != e.to_state else e.to_state
        note = f"  «{e.comment}»" if e.comment else ""
        click.echo(
            f"{e.seq:3} {e.at.isoformat(timespec='seconds')}  {e.action:18} {e.actor} ({e.role})  {move}{note}  {e.hash[:12]}"
        )


COMMANDS = (request_group,)
