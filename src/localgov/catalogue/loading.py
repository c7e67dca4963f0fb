"""Turning definition files into located entries, collecting every problem on the way.

A catalogue file may hold any of the sections below; each section is a table of entries keyed by
code (``[services.building_permit]``). The code is the table's name, never a key inside it.
Beside them, ``[[overrides]]`` is an array: a governorate's own figures for a service defined
elsewhere (:class:`localgov.catalogue.model.ServiceOverride`), keyed by governorate and service.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

import attrs
import cattrs

from localgov.catalogue.converter import make_converter, structure_entry
from localgov.catalogue.messages import MessageTemplate
from localgov.catalogue.model import (
    Category,
    Channel,
    Department,
    DocumentType,
    FeeRule,
    FeeRuleKind,
    FieldType,
    Identification,
    IssuedKind,
    OriginalsHandling,
    ReceiptDelivery,
    Role,
    ServiceDefinition,
    ServiceOverride,
    WorkflowAction,
    WorkflowDefinition,
    WorkflowState,
)
from localgov.catalogue.problems import Problem, describe_value
from localgov.catalogue.sources import DefinitionSource, definition_files, table_entries

__all__ = ["CODE_PATTERN", "OVERRIDES", "SECTIONS", "Located", "ParsedEntries", "override_key", "parse_sources"]

T = TypeVar("T")

SECTIONS: dict[str, type] = {
    "categories": Category,
    "departments": Department,
    "roles": Role,
    "channels": Channel,
    "document_types": DocumentType,
    "fee_rules": FeeRule,
    "workflows": WorkflowDefinition,
    "services": ServiceDefinition,
    "messages": MessageTemplate,
}

# The array of governorate overrides; in the parsed entries, keyed by :func:`override_key`.
OVERRIDES = "overrides"

# Codes end up in URLs, database rows and tokens: keep them plain.
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")

_CONVERTER: cattrs.Converter = make_converter(
    enums=(FieldType, IssuedKind, FeeRuleKind, Identification, ReceiptDelivery, OriginalsHandling),
    renames={WorkflowAction: {"sources": "from", "dest": "to"}},
)


@attrs.frozen
class Located(Generic[T]):
    """An entry and where it was defined, so later checks can point at it."""

    value: T
    source: str
    path: str


ParsedEntries = dict[str, dict[str, Located[Any]]]


def parse_sources(sources: Iterable[DefinitionSource]) -> tuple[ParsedEntries, list[Problem], set[tuple[str, str]]]:
    """Parse every file.

    Return the entries that structured cleanly, every problem found, and the (section, code) of
    entries that exist but are broken: a reference to one of those is not reported again as unknown.
    """
    entries: ParsedEntries = {section: {} for section in (*SECTIONS, OVERRIDES)}
    problems: list[Problem] = []
    broken: set[tuple[str, str]] = set()
    for name, document in definition_files(sources, problems):
        if OVERRIDES in document:
            problems += _parse_overrides(name, document[OVERRIDES], entries)
        for section, code, data, path in table_entries(name, document, SECTIONS, problems, header=[OVERRIDES]):
            value, entry_problems = _structure(SECTIONS[section], code, data, name, path)
            problems += entry_problems
            if value is None:
                broken.add((section, code))
                continue
            earlier = entries[section].get(code)
            if earlier is not None:
                problems.append(Problem(name, path, f"duplicate code, already defined in {earlier.source}"))
                continue
            entries[section][code] = Located(value, name, path)
    return entries, problems, broken


def override_key(governorate: str, service: str) -> str:
    """The key of a governorate's override of a service among the parsed entries."""
    return f"{governorate}/{service}"


def _parse_overrides(name: str, items: object, entries: ParsedEntries) -> list[Problem]:
    if not isinstance(items, list):
        return [Problem(name, OVERRIDES, f"expected an array of tables ([[overrides]]), got {describe_value(items)}")]
    problems: list[Problem] = []
    for index, data in enumerate(items):
        path = f"{OVERRIDES}[{index}]"
        value, entry_problems = structure_entry(_CONVERTER, data, ServiceOverride, name, path)
        problems += entry_problems
        if value is None:
            continue
        key = override_key(value.governorate, value.service)
        earlier = entries[OVERRIDES].get(key)
        if earlier is not None:
            problems.append(
                Problem(
                    name,
                    path,
                    f"governorate {value.governorate!r} already overrides service {value.service!r} "
                    f"in {earlier.source}: {earlier.path}",
                )
            )
            continue
        entries[OVERRIDES][key] = Located(value, name, path)
    return problems


def _structure(cls: type, code: str, data: object, source: str, path: str) -> tuple[Any, list[Problem]]:
    problems = []
    if not CODE_PATTERN.fullmatch(code):
        problems.append(
            Problem(source, path, f"invalid code {describe_value(code)}: use lower-case letters, digits and _")
        )
    if isinstance(data, dict) and "code" in data:
        problems.append(Problem(source, f"{path}.code", "the code is the table's name; remove this key"))
        data = {k: v for k, v in data.items() if k != "code"}
    if cls is WorkflowDefinition and isinstance(data, dict):
        value, workflow_problems = _structure_workflow(code, data, source, path)
        return (None if problems else value), problems + workflow_problems
    if isinstance(data, dict):
        data = {"code": code, **data}
    value, structure_problems = structure_entry(_CONVERTER, data, cls, source, path)
    if structure_problems:
        value = _salvage(cls, data, structure_problems, path)
    return (None if problems else value), problems + structure_problems


def _salvage(cls: type, data: object, problems: list[Problem], path: str) -> Any:
    """Structure ``data`` again without the values that failed, so later checks still see the rest.

    Reporting every mistake at once means the cross-reference checks must run even on an entry
    with a malformed value. Dropping the offending keys works when they are optional; when one is
    required the entry stays unusable and only its own problems are reported. A bad array item
    drops the whole array (removing the item would shift the indices of later problems), and the
    entry is then marked incomplete so that checks depending on that array stay quiet.
    """
    if not isinstance(data, dict):
        return None
    pruned = copy.deepcopy(data)
    dropped: set[str] = set()
    for problem in problems:
        tokens = _TOKEN.findall(problem.path.removeprefix(path))
        if not tokens:
            return None
        dropped |= _delete(pruned, tokens)
    value, remaining = structure_entry(_CONVERTER, pruned, cls, "", path)
    if remaining and cls in _STAND_INS:
        # A required value was malformed: stand in a neutral one so the rest can still be checked,
        # and mark it so that no check reports anything about the stand-in.
        for key, stand_in in _STAND_INS[cls].items():
            if key not in pruned:
                pruned[key] = stand_in
                dropped.add(key)
        value, remaining = structure_entry(_CONVERTER, pruned, cls, "", path)
    if remaining or value is None:
        return None
    return attrs.evolve(value, incomplete=frozenset(dropped)) if dropped and hasattr(value, "incomplete") else value


_NEUTRAL_TEXT = {"ar": "-", "en": "-"}
# Neutral values for a service's required keys, used only to keep checking a malformed entry.
_STAND_INS: dict[type, dict[str, Any]] = {
    ServiceDefinition: {
        "name": _NEUTRAL_TEXT,
        "description": _NEUTRAL_TEXT,
        "category": "",
        "department": "",
        "workflow": "",
        "time_limit_days": 1,
        "channels": [],
        "issues": {"kind": "permit"},
    }
}

# ".name" or "[3]" steps of a problem path.
_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _delete(data: dict[str, Any], tokens: list[tuple[str, str]]) -> set[str]:
    """Delete the value at ``tokens`` from nested data; return the top-level keys dropped whole."""
    drops_array = tokens[-1][1] != ""
    if drops_array:
        tokens = tokens[:-1]  # remove the array that holds the bad item
    *route, (last_key, _) = tokens
    node: Any = data
    for key, index in route:
        if key and isinstance(node, dict):
            node = node.get(key)
        elif not key and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return set()
    if not last_key or not isinstance(node, dict):
        return set()
    node.pop(last_key, None)
    return {tokens[0][0]} if drops_array else set()


def _structure_workflow(
    code: str, data: dict[str, Any], source: str, path: str
) -> tuple[WorkflowDefinition | None, list[Problem]]:
    """Workflows nest two keyed sections (states, actions); each entry keeps its own path."""
    problems: list[Problem] = []
    nested: dict[str, tuple[Any, ...]] = {}
    for key, cls in (("states", WorkflowState), ("actions", WorkflowAction)):
        table = data.get(key)
        if not isinstance(table, dict) or not table:
            problems.append(
                Problem(source, f"{path}.{key}", f"expected a table of {key}, got {describe_value(table)}")
                if key in data
                else Problem(source, f"{path}.{key}", "missing (required)")
            )
            continue
        items = []
        for item_code, item in table.items():
            value, item_problems = _structure(cls, item_code, item, source, f"{path}.{key}.{item_code}")
            problems += item_problems
            if value is not None:
                items.append(value)
        nested[key] = tuple(items)
    top = {k: v for k, v in data.items() if k not in ("states", "actions")}
    top.update(code=code, states=[], actions=[])
    value, top_problems = structure_entry(_CONVERTER, top, WorkflowDefinition, source, path)
    problems += top_problems
    if value is None or problems:
        return None, problems
    return attrs.evolve(value, **nested), []
