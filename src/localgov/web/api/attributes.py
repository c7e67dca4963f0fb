"""Reading an Open311 form body: ``service_code=...&attribute[floors]=5&attribute[use][]=shop``.

GeoReport v2 sends a service's attributes as form keys ``attribute[CODE]``, and a multi-value
list's choices as ``attribute[CODE][]`` repeated. The keys come from anyone, so they are parsed
here strictly, by hand: a key that is not exactly one of those shapes is refused and named, never
guessed at, and every other field may be given once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from localgov.web.problems import InvalidInput

__all__ = ["MAX_FIELDS", "OpenForm", "parse_open311_form"]

#: More fields than any service has: a body with more is not a request, and is refused unread.
MAX_FIELDS = 200

# A form field's code, as the catalogue spells them: letters, digits and underscores.
_CODE = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
_ATTRIBUTE = re.compile(rf"attribute\[({_CODE})\](\[\])?")


@attrs.frozen
class OpenForm:
    """A parsed Open311 body: the service's attributes (the form) and the other fields by name."""

    attributes: dict[str, str | list[str]]
    fields: dict[str, str]


def parse_open311_form(pairs: Iterable[tuple[str, str]]) -> OpenForm:
    """The attributes and fields of a form body's ``(key, value)`` pairs, in order.

    :class:`~localgov.web.problems.InvalidInput` names every key at fault: a malformed
    ``attribute[...]`` key, an attribute given both as one value and as a list, a field given twice.
    """
    attributes: dict[str, str | list[str]] = {}
    listed: set[str] = set()
    fields: dict[str, str] = {}
    problems: dict[str, str] = {}
    for count, (key, value) in enumerate(pairs, start=1):
        if count > MAX_FIELDS:
            raise InvalidInput({"(body)": f"more than {MAX_FIELDS} fields"})
        if not key.startswith("attribute"):
            if key in fields:
                problems[key] = "given more than once"
            fields[key] = value
            continue
        match = _ATTRIBUTE.fullmatch(key)
        if match is None:
            problems[key] = "expected attribute[CODE] or attribute[CODE][] (CODE: letters, digits, _)"
            continue
        code, is_list = match.group(1), match.group(2) is not None
        previous = attributes.get(code)
        if is_list:
            if previous is not None and code not in listed:
                problems[key] = f"attribute[{code}] is also given as a single value"
                continue
            listed.add(code)
            attributes[code] = [*(previous if isinstance(previous, list) else []), value]
        else:
            if previous is not None:
                problems[key] = "given more than once" if code not in listed else "also given as a list"
                continue
            attributes[code] = value
    if problems:
        raise InvalidInput(problems)
    return OpenForm(attributes=attributes, fields=fields)
