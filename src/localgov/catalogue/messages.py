"""The messages a citizen receives at each step of a request: bilingual templates in the catalogue.

A catalogue file holds the defaults (``[messages.received]``, with ``ar`` and ``en``); a service
may word its own (``[services.building_permit.messages.issued]``). A template names the values it
shows in braces, ``{tracking}``; each kind of message offers its own few values, and
``localgov catalogue check`` reports any other name with the file and path where it is written.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping

import attrs

from localgov.i18n import Language, LocalizedText

__all__ = [
    "MESSAGE_KINDS",
    "REQUIRED_MESSAGES",
    "MessageTemplate",
    "TemplateProblem",
    "render_template",
    "template_problems",
]

_COMMON = ("tracking", "service")
#: Every kind of message and the values its template may show.
MESSAGE_KINDS: Mapping[str, tuple[str, ...]] = {
    "received": (*_COMMON, "due_date"),
    "missing_document": (*_COMMON, "missing"),
    "fees_assessed": (*_COMMON, "amount", "payment_reference"),
    "paid": (*_COMMON, "amount"),
    "approved": _COMMON,
    "rejected": (*_COMMON, "reason"),
    "issued": (*_COMMON, "number"),
    "overdue_apology": (*_COMMON, "due_date"),
}

#: The messages an opt-out does not silence: each asks something of the applicant (a document,
#: a payment) or tells a decision against them, from which the time to appeal runs. The others
#: only inform, and a citizen who asked for no SMS gets none of them (docs/notifications.md).
REQUIRED_MESSAGES = frozenset({"missing_document", "fees_assessed", "rejected"})


@attrs.frozen
class MessageTemplate:
    """The default wording of one kind of message (``[messages.<kind>]``)."""

    code: str
    ar: str
    en: str

    @property
    def text(self) -> LocalizedText:
        return LocalizedText(self.ar, self.en)


@attrs.frozen
class TemplateProblem:
    """What is wrong in one language of a template: ``where`` is ``ar`` or ``en``."""

    where: str
    message: str


def _fields(template: str) -> Iterator[tuple[str | None, str | None, str | None]]:
    for _, name, spec, conversion in string.Formatter().parse(template):
        yield name, spec, conversion


def template_problems(kind: str, text: LocalizedText) -> list[TemplateProblem]:
    """Every problem of a template for ``kind``: unknown placeholders, formats, stray braces."""
    allowed = MESSAGE_KINDS.get(kind)
    if allowed is None:
        return [TemplateProblem("", f"unknown message kind {kind!r} (known: {', '.join(MESSAGE_KINDS)})")]
    problems = []
    for language in ("ar", "en"):
        template = text.ar if language == "ar" else text.en
        if not template.strip():
            problems.append(TemplateProblem(language, "empty message"))
            continue
        try:
            fields = list(_fields(template))
        except ValueError as error:  # a lone "{" or "}"
            problems.append(TemplateProblem(language, f"{error} (write {{{{ or }}}} for a brace)"))
            continue
        for name, spec, conversion in fields:
            if name is None:
                continue
            if name not in allowed:
                problems.append(
                    TemplateProblem(
                        language, f"unknown placeholder {{{name}}} (a {kind} message may use: {', '.join(allowed)})"
                    )
                )
            elif spec or conversion:
                problems.append(TemplateProblem(language, f"{{{name}}}: write the placeholder alone, no format"))
    return problems


def render_template(text: LocalizedText, language: Language, values: Mapping[str, str]) -> str:
    """The message in ``language`` with ``values`` put in (a template checked by the catalogue)."""
    return (text.ar if language == "ar" else text.en).format_map(values)
