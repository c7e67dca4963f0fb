"""Catalogue entries written back as the TOML the catalogue files use, for the tablet's bundle.

The tablet validates with localgov's own loader and form code, so the bundle carries the entries
in the one shape that loader reads: the catalogue files' (docs/reference/catalogue-files.md).
Written back from the loaded objects rather than copied from the files, the text holds exactly
what the server's catalogue holds (plugin-registered entries included) and nothing else.

Only what the files can say is written: attribute defaults are left out, so an entry loads back
equal to the one written (``tests/test_bundle.py`` checks it for every mobile service of Cairo).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from localgov.catalogue import Catalogue, WorkflowAction, WorkflowDefinition
from localgov.i18n import LocalizedText

__all__ = ["entries_toml"]

# Attributes written under another key (the loader's renames), by class.
_RENAMES: dict[type, dict[str, str]] = {WorkflowAction: {"sources": "from", "dest": "to"}}
# Attributes the loader sets itself, never read from a file.
_NOT_WRITTEN = frozenset({"code", "incomplete"})
# A workflow's states and actions are tables keyed by their codes, in the order defined.
_KEYED = {WorkflowDefinition: ("states", "actions")}


def _plain(value: Any) -> Any:
    if isinstance(value, LocalizedText):
        return {"ar": value.ar, "en": value.en}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if attrs.has(type(value)):
        return _fields(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(v) for v in value]
    return value


def _default_of(attribute: attrs.Attribute) -> Any:  # type: ignore[type-arg]
    default: Any = attribute.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default


def _fields(value: Any) -> dict[str, Any]:
    renames = _RENAMES.get(type(value), {})
    result = {}
    for attribute in attrs.fields(type(value)):
        if attribute.name in _NOT_WRITTEN or not attribute.init:
            continue
        item = getattr(value, attribute.name)
        if item is None or (attribute.default is not attrs.NOTHING and item == _default_of(attribute)):
            continue
        if attribute.name in _KEYED.get(type(value), ()):
            result[attribute.name] = {entry.code: _fields(entry) for entry in item}
            continue
        result[renames.get(attribute.name, attribute.name)] = _plain(item)
    return result


def _toml(value: Any) -> str:
    """One value as an inline TOML value (basic strings take JSON's escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} in a catalogue file")


def entries_toml(catalogue: Catalogue, chosen: Mapping[str, Iterable[str]]) -> str:
    """The TOML text of the ``chosen`` entries of ``catalogue``, by section, sections and codes sorted."""
    lines = []
    for section in sorted(chosen):
        entries: Mapping[str, Any] = getattr(catalogue, section)
        for code in sorted(set(chosen[section])):
            lines.append(f"[{section}.{code}]")
            lines += [f"{json.dumps(key)} = {_toml(item)}" for key, item in _fields(entries[code]).items()]
            lines.append("")
    return "\n".join(lines)
