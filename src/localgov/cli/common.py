"""What every command shares: settings, the application and engine, bilingual output."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import click

from localgov.app import Localgov
from localgov.i18n import LocalizedText, to_eastern_digits
from localgov.organisation import StaffMember, load_staff
from localgov.requests import Engine

__all__ = ["CliState", "LanguageChoice", "application", "language_option", "say", "state"]

LanguageChoice = Literal["ar", "en", "both"]

language_option = click.option(
    "--lang",
    "language",
    type=click.Choice(["ar", "en", "both"]),
    default="both",
    show_default=True,
    help="Language of names and texts.",
)


class CliState:
    """Settings from the command line or the environment, and what they open, built on first use."""

    def __init__(self, database: str, staff_files: tuple[Path, ...], audit_key_file: Path | None) -> None:
        self.database = database
        self.staff_files = staff_files
        self.audit_key_file = audit_key_file

    @cached_property
    def app(self) -> Localgov:
        return Localgov()

    @cached_property
    def staff(self) -> dict[str, StaffMember]:
        members = load_staff(self.staff_files, organisation=self.app.organisation, known_roles=self.app.catalogue.roles)
        return {member.id: member for member in members}

    @cached_property
    def engine(self) -> Engine:
        key = self.audit_key_file.read_bytes().strip() if self.audit_key_file else b""
        return self.app.engine(self.database, staff=self.staff.values(), audit_key=key)

    def member(self, staff_id: str) -> StaffMember:
        try:
            return self.staff[staff_id]
        except KeyError:
            known = ", ".join(sorted(self.staff)) or "none: pass --staff FILE"
            raise click.UsageError(f"no staff member {staff_id!r} (staff: {known})") from None


def state(ctx: click.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState("sqlite:///localgov.db", (), None)
    return root.obj


def application(ctx: click.Context) -> Localgov:
    return state(ctx).app


def say(text: LocalizedText, language: LanguageChoice, *, eastern_digits: bool = False) -> str:
    arabic = to_eastern_digits(text.ar) if eastern_digits else text.ar
    if language == "ar":
        return arabic
    if language == "en":
        return text.en
    return f"{arabic} — {text.en}"
