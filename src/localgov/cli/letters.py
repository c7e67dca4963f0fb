"""``localgov letters``: send, read, forward and answer letters between units; print the books.

Who acts is ``--as STAFF_ID`` (an employee on the ``--staff`` roster); what they see is what
their unit, department and the letter's classification allow. Sending and answering sign the
letter with the unit's document-signing credential (``--signer DIR``, from ``localgov pki
issue-signer``), whose certificate must be that of the employee's unit.
"""

from __future__ import annotations

import datetime
import mimetypes
from pathlib import Path

import click

from localgov.cli.common import state
from localgov.cli.credentials import directory_type, load_credential, passphrase_option
from localgov.correspondence import (
    AttachmentUpload,
    Classification,
    Correspondence,
    Letter,
    Party,
    on_receiving_side,
)
from localgov.pki import Credential, load_certificates, unit_code_of

__all__ = ["COMMANDS", "describe_letter", "open_correspondence"]

_STATUS = {"sent": "مرسل / sent", "acknowledged": "تم الاستلام / acknowledged", "answered": "تم الرد / answered"}
_CLASSIFICATION = {"normal": "عادي / normal", "confidential": "سري / confidential"}


def open_correspondence(
    ctx: click.Context, signer: Credential | None = None, chain_file: Path | None = None
) -> Correspondence:
    """The correspondence beside the requests, in the database of ``--db``, keyed by ``--audit-key-file``."""
    cli = state(ctx)
    signers = {} if signer is None else {str(unit_code_of(signer.certificate)): signer}
    chain = load_certificates(chain_file) if chain_file is not None else ()
    return cli.app.correspondence(engine=cli.engine, signers=signers, chain=chain)


def _signer(signer_dir: Path | None, passphrase_env: str) -> Credential:
    if signer_dir is None:
        raise click.UsageError("a letter is signed by its unit: pass --signer DIR (the unit's credential)")
    return load_credential(signer_dir, passphrase_env)


def describe_letter(letter: Letter) -> list[str]:
    """A letter in a few bilingual lines, as ``letters show`` prints it."""
    lines = [
        f"{letter.id}  {letter.subject}",
        f"  صادر / outgoing: {letter.id}"
        + (f"   وارد / incoming: {letter.incoming_number}" if letter.incoming_number else ""),
        f"  من / from: {letter.sender.describe()} ({letter.author})",
        f"  إلى / to: {letter.recipient.describe()}",
        f"  sent: {letter.sent_at.isoformat()}   {_CLASSIFICATION[letter.classification.value]}",
        f"  status: {_STATUS[letter.status.value]}"
        + (f"; reply by {letter.reply_by.isoformat()}" if letter.reply_by else ""),
    ]
    if len(letter.departments) > 1:
        lines.append(f"  forwarded to: {', '.join(d or '(unit office)' for d in letter.departments[1:])}")
    if letter.request_id:
        lines.append(f"  request: {letter.request_id}")
    if letter.in_reply_to:
        lines.append(f"  in reply to: {letter.in_reply_to}")
    if letter.replies:
        lines.append(f"  replies: {', '.join(letter.replies)}")
    for attachment in letter.attachments:
        lines.append(f"  attachment: {attachment.name} ({attachment.size} bytes, sha256 {attachment.sha256[:16]}…)")
    lines.append("")
    lines.extend(f"  {line}" for line in letter.body.splitlines())
    return lines


def _summary(letter: Letter) -> str:
    due = f"  reply by {letter.reply_by.isoformat()}" if letter.awaiting_reply and letter.reply_by else ""
    secret = " [سري]" if letter.classification is Classification.CONFIDENTIAL else ""
    return f"{letter.id}  {letter.sent_at.date().isoformat()}  {letter.sender.describe()}  {letter.subject}{secret}  ({letter.status.value}){due}"


def _attachments(paths: tuple[Path, ...]) -> list[AttachmentUpload]:
    uploads = []
    for path in paths:
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        uploads.append(AttachmentUpload(path.name, path.read_bytes(), media))
    return uploads


def _body(body: str | None, body_file: Path | None) -> str:
    if (body is None) == (body_file is None):
        raise click.UsageError("give the letter's text: --body TEXT or --body-file FILE (one of them)")
    return body if body is not None else body_file.read_text("utf-8")  # type: ignore[union-attr]


_as = click.option("--as", "staff_id", required=True, help="The employee acting (a staff id on the roster).")
_signer_option = click.option(
    "--signer", "signer_dir", type=directory_type, help="The unit's document-signing credential directory."
)
_chain_option = click.option(
    "--chain",
    "chain_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM certificates above the signer (governorate CA, root), embedded in the signature.",
)
_attach = click.option(
    "--attach", "attachments", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
_text = [
    click.option("--body", help="The letter's text."),
    click.option("--body-file", type=click.Path(dir_okay=False, exists=True, path_type=Path)),
]


def _with_text(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(_text):
        function = option(function)
    return function


@click.group("letters")
def letters() -> None:
    """Letters between local units: the outgoing and incoming books (الصادر والوارد)."""


@letters.command("send")
@_as
@click.option("--to-unit", help="The receiving local unit's code.")
@click.option("--to-governorate", help="Its governorate (when unit codes are not unique).")
@click.option("--to-department", help="The receiving department's code (the unit's office if left out).")
@click.option("--to-outside", help="Or: the name of a body outside the system.")
@click.option("--subject", required=True)
@_with_text
@click.option("--confidential", is_flag=True, help="Seen only by the sending and receiving departments.")
@click.option("--reply-within", type=click.IntRange(min=1), help="A reply is due in this many working days.")
@click.option("--reply-by", type=click.DateTime(["%Y-%m-%d"]), help="A reply is due by this working day.")
@click.option("--request", "request_id", help="The request the letter concerns (of the sender's unit).")
@_attach
@_signer_option
@_chain_option
@passphrase_option
@click.pass_context
def send(
    ctx: click.Context,
    staff_id: str,
    to_unit: str | None,
    to_governorate: str | None,
    to_department: str | None,
    to_outside: str | None,
    subject: str,
    body: str | None,
    body_file: Path | None,
    confidential: bool,
    reply_within: int | None,
    reply_by: datetime.datetime | None,
    request_id: str | None,
    attachments: tuple[Path, ...],
    signer_dir: Path | None,
    chain_file: Path | None,
    passphrase_env: str,
) -> None:
    """Send a letter from your department: numbered, signed, delivered to the receiver's book."""
    if (to_unit is None) == (to_outside is None):
        raise click.UsageError("address the letter: --to-unit UNIT [--to-department DEPT], or --to-outside NAME")
    author = state(ctx).member(staff_id)
    service = open_correspondence(ctx, _signer(signer_dir, passphrase_env), chain_file)
    to = Party(outside=to_outside) if to_outside else Party(to_governorate, to_unit, to_department)
    letter = service.send(
        author,
        to,
        subject,
        _body(body, body_file),
        classification=Classification.CONFIDENTIAL if confidential else Classification.NORMAL,
        attachments=_attachments(attachments),
        reply_within_days=reply_within,
        reply_by=reply_by.date() if reply_by else None,
        request_id=request_id,
    )
    incoming = f", incoming {letter.incoming_number}" if letter.incoming_number else ""
    click.echo(f"{letter.id}: sent to {letter.recipient.describe()}{incoming}")
    if letter.reply_by:
        click.echo(f"  reply by {letter.reply_by.isoformat()}")


@letters.command("inbox")
@_as
@click.option("--awaiting-reply", is_flag=True, help="Only the letters still waiting for your reply.")
@click.option("--sent", "sent_box", is_flag=True, help="The letters your unit sent, instead.")
@click.pass_context
def inbox(ctx: click.Context, staff_id: str, awaiting_reply: bool, sent_box: bool) -> None:
    """The letters your unit received that you may see, newest first."""
    viewer = state(ctx).member(staff_id)
    service = open_correspondence(ctx)
    found = service.sent(viewer) if sent_box else service.inbox(viewer, awaiting_reply=awaiting_reply)
    for letter in found:
        click.echo(_summary(letter))
    if not found:
        click.echo("لا توجد خطابات / no letters")


@letters.command("show")
@click.argument("letter_id")
@_as
@click.option("--history", "with_history", is_flag=True, help="Every step of the letter's history too.")
@click.option(
    "--no-acknowledge", is_flag=True, help="Read without acknowledging delivery (a receiver's first reading does)."
)
@click.pass_context
def show(ctx: click.Context, letter_id: str, staff_id: str, with_history: bool, no_acknowledge: bool) -> None:
    """A letter you may see. Its receivers acknowledge delivery by reading it."""
    viewer = state(ctx).member(staff_id)
    service = open_correspondence(ctx)
    letter = service.get(letter_id, viewer)
    if not no_acknowledge and on_receiving_side(letter, viewer) and letter.acknowledged_by is None:
        letter = service.acknowledge(letter_id, viewer)
        click.echo(f"{letter_id}: delivery acknowledged by {viewer.id} / تم الإقرار بالاستلام")
    for line in describe_letter(letter):
        click.echo(line)
    if with_history:
        click.echo("")
        for event in service.history(letter_id, viewer):
            extra = "".join(f" {k}={v}" for k, v in event.data.items() if k in ("department", "note", "reply"))
            click.echo(f"  {event.seq}. {event.at}  {event.action}  by {event.actor}{extra}")


@letters.command("reply")
@click.argument("letter_id")
@_as
@click.option("--subject", help="The reply's subject (رد: and the letter's, if left out).")
@_with_text
@click.option("--reply-within", type=click.IntRange(min=1), help="A reply to the reply is due in this many days.")
@_attach
@_signer_option
@_chain_option
@passphrase_option
@click.pass_context
def reply(
    ctx: click.Context,
    letter_id: str,
    staff_id: str,
    subject: str | None,
    body: str | None,
    body_file: Path | None,
    reply_within: int | None,
    attachments: tuple[Path, ...],
    signer_dir: Path | None,
    chain_file: Path | None,
    passphrase_env: str,
) -> None:
    """Answer a letter your department holds: a new letter to its sender, threaded to it."""
    author = state(ctx).member(staff_id)
    service = open_correspondence(ctx, _signer(signer_dir, passphrase_env), chain_file)
    answer = service.reply(
        letter_id,
        author,
        _body(body, body_file),
        subject=subject,
        attachments=_attachments(attachments),
        reply_within_days=reply_within,
    )
    click.echo(f"{answer.id}: reply to {letter_id}, sent to {answer.recipient.describe()}")


@letters.command("forward")
@click.argument("letter_id")
@_as
@click.option("--to-department", "department", required=True, help="The department of your unit to pass it to.")
@click.option("--note", help="A note for them (تأشيرة).")
@click.pass_context
def forward(ctx: click.Context, letter_id: str, staff_id: str, department: str, note: str | None) -> None:
    """Pass a letter your department holds to another department of your unit."""
    by = state(ctx).member(staff_id)
    letter = open_correspondence(ctx).forward(letter_id, by, department, note=note)
    click.echo(
        f"{letter.id}: forwarded to {department}; held by {', '.join(d or '(office)' for d in letter.departments)}"
    )


@letters.command("register")
@click.option("--unit", required=True, help="The local unit whose book it is.")
@click.option("--governorate", help="Its governorate (when unit codes are not unique).")
@click.option("--book", "kind", type=click.Choice(["out", "in"]), required=True, help="Outgoing or incoming.")
@click.option("--year", type=int, help="The year (this year by default).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Print it as an Arabic PDF.")
@click.pass_context
def register(
    ctx: click.Context, unit: str, governorate: str | None, kind: str, year: int | None, pdf_path: Path | None
) -> None:
    """A unit's outgoing (الصادر) or incoming (الوارد) book for a year, line by line."""
    service = open_correspondence(ctx)
    year = year or service.today().year
    code = service.governorate_of(unit, governorate).code
    lines = service.register(code, unit, kind, year)
    if pdf_path is not None:
        from localgov.documents import DocumentFactory

        pdf_path.write_bytes(DocumentFactory(state(ctx).app).register_book(code, unit, kind, year, lines))
        click.echo(f"{pdf_path}: {len(lines)} lines of the {kind} book of {unit}, {year}")
        return
    for entry, letter in lines:
        number = letter.id if kind == "out" else letter.incoming_number
        party = letter.recipient if kind == "out" else letter.sender
        subject = "(سري)" if letter.classification is Classification.CONFIDENTIAL else letter.subject
        click.echo(f"{entry.number:6d}  {number}  {entry.at[:10]}  {party.describe()}  {subject}")
    if not lines:
        click.echo(f"the {kind} book of {unit} has no line in {year}")


COMMANDS = (letters,)
