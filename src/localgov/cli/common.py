"""What every command shares: the application object and bilingual output."""

from __future__ import annotations

from typing import Literal

import click

from localgov.app import Localgov
from localgov.i18n import LocalizedText, to_eastern_digits

__all__ = ["LanguageChoice", "application", "language_option", "say"]

LanguageChoice = Literal["ar", "en", "both"]

language_option = click.option(
    "--lang",
    "language",
    type=click.Choice(["ar", "en", "both"]),
    default="both",
    show_default=True,
    help="Language of names and texts.",
)


def application(ctx: click.Context) -> Localgov:
    """One application per command line, built lazily from the installed plugins."""
    root = ctx.find_root()
    if not isinstance(root.obj, Localgov):
        root.obj = Localgov()
    return root.obj


def say(text: LocalizedText, language: LanguageChoice, *, eastern_digits: bool = False) -> str:
    arabic = to_eastern_digits(text.ar) if eastern_digits else text.ar
    if language == "ar":
        return arabic
    if language == "en":
        return text.en
    return f"{arabic} — {text.en}"
