"""Loading a governorate's organisation from TOML, with every problem reported at once.

File shape (one governorate per file, or split over several files with the same ``governorate``)::

    governorate = "C"                     # ISO 3166-2:EG code; names and kind are national facts
    [zones.north]
    name = { ar = "المنطقة الشمالية", en = "Northern zone" }
    [units.zeitoun]
    kind = "district"
    zone = "north"
    name = { ar = "حي الزيتون", en = "Zeitoun" }
    [service_points.zeitoun_tc]
    kind = "technology_center"
    unit = "zeitoun"
    name = { ar = "المركز التكنولوجي بحي الزيتون", en = "Zeitoun technology center" }
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from localgov.catalogue.converter import make_converter, structure_entry
from localgov.catalogue.loading import CODE_PATTERN
from localgov.catalogue.problems import CatalogueError, Problem, describe_value
from localgov.catalogue.sources import DefinitionSource, definition_files, table_entries
from localgov.organisation.governorates import GovernorateKind, governorate_facts
from localgov.organisation.model import (
    ALLOWED_UNIT_KINDS,
    PARENT_KINDS,
    Governorate,
    LocalUnit,
    LocalUnitKind,
    Opening,
    ServicePoint,
    ServicePointKind,
    Zone,
)

__all__ = ["load_organisation"]

_CONVERTER = make_converter(enums=(LocalUnitKind, ServicePointKind, Opening))
_SECTIONS: dict[str, type] = {"zones": Zone, "units": LocalUnit, "service_points": ServicePoint}


def load_organisation(sources: Iterable[DefinitionSource]) -> dict[str, Governorate]:
    """Load organisation files into governorates by code; raise :class:`CatalogueError` on any problem."""
    problems: list[Problem] = []
    # governorate code -> section -> code -> (value, source, path)
    found: dict[str, dict[str, dict[str, tuple[Any, str, str]]]] = {}
    for name, document in definition_files(sources, problems):
        code = document.get("governorate")
        facts = governorate_facts(code) if isinstance(code, str) else None
        if facts is None:
            problems.append(
                Problem(name, "governorate", f"expected an ISO 3166-2:EG governorate code, got {describe_value(code)}")
            )
            continue
        sections = found.setdefault(facts.code, {section: {} for section in _SECTIONS})
        for section, entry_code, data, path in table_entries(
            name, document, _SECTIONS, problems, header=["governorate"]
        ):
            if not CODE_PATTERN.fullmatch(entry_code):
                problems.append(
                    Problem(
                        name, path, f"invalid code {describe_value(entry_code)}: use lower-case letters, digits and _"
                    )
                )
                continue
            if isinstance(data, dict):
                if "code" in data:
                    problems.append(Problem(name, f"{path}.code", "the code is the table's name; remove this key"))
                    continue
                data = {"code": entry_code, **data}
            value, entry_problems = structure_entry(_CONVERTER, data, _SECTIONS[section], name, path)
            problems += entry_problems
            if value is None:
                continue
            if entry_code in sections[section]:
                problems.append(
                    Problem(name, path, f"duplicate code, already defined in {sections[section][entry_code][1]}")
                )
                continue
            sections[section][entry_code] = (value, name, path)

    governorates = {}
    for code, sections in found.items():
        facts = governorate_facts(code)
        assert facts is not None  # only known codes were collected
        problems += _check_references(facts.kind, sections)
        governorates[code] = Governorate(
            code=code,
            name=facts.name,
            kind=facts.kind,
            **{
                section: MappingProxyType({c: v for c, (v, _, _) in entries.items()})
                for section, entries in sections.items()
            },
        )
    if problems:
        raise CatalogueError(problems)
    return governorates


def _check_references(kind: Any, sections: dict[str, dict[str, tuple[Any, str, str]]]) -> list[Problem]:
    problems = []
    zones, units = sections["zones"], sections["units"]
    for unit, source, path in units.values():
        if unit.kind not in ALLOWED_UNIT_KINDS[kind]:
            allowed = ", ".join(sorted(k.value for k in ALLOWED_UNIT_KINDS[kind]))
            problems.append(
                Problem(
                    source,
                    f"{path}.kind",
                    f"a {kind.value} governorate has only {allowed} units, got {describe_value(unit.kind.value)}",
                )
            )
        if unit.zone is not None and unit.zone not in zones:
            problems.append(Problem(source, f"{path}.zone", f"unknown zone {describe_value(unit.zone)}"))
        if unit.parent is not None:
            parent = units.get(unit.parent)
            allowed_parents = PARENT_KINDS[unit.kind]
            if parent is None:
                problems.append(Problem(source, f"{path}.parent", f"unknown local unit {describe_value(unit.parent)}"))
            elif not allowed_parents:
                problems.append(
                    Problem(source, f"{path}.parent", f"a {unit.kind.value} belongs to no other local unit")
                )
            elif parent[0].kind not in allowed_parents:
                problems.append(
                    Problem(
                        source,
                        f"{path}.parent",
                        f"a {unit.kind.value} belongs to a {' or '.join(sorted(k.value for k in allowed_parents))}, "
                        f"not to {parent[0].kind.value} {describe_value(unit.parent)}",
                    )
                )
        elif unit.kind is LocalUnitKind.VILLAGE:
            problems.append(Problem(source, f"{path}.parent", "a village must name the markaz it belongs to"))
        elif unit.kind is LocalUnitKind.DISTRICT and kind is not GovernorateKind.CITY:
            # Outside the four city governorates a district (حي) divides a large city.
            problems.append(Problem(source, f"{path}.parent", "a district must name the city it divides"))
    # Tracking and permit numbers carry the unit's short code: two units must never share one.
    tracking_codes: dict[str, str] = {}
    for unit, source, path in units.values():
        if unit.tracking_code is not None and not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", unit.tracking_code):
            problems.append(
                Problem(
                    source,
                    f"{path}.tracking_code",
                    f"expected 2-8 upper-case letters or digits, got {describe_value(unit.tracking_code)}",
                )
            )
        elif unit.short_code in tracking_codes:
            problems.append(
                Problem(
                    source,
                    f"{path}.tracking_code",
                    f"short code {unit.short_code!r} is already used by unit {tracking_codes[unit.short_code]!r}; set a distinct tracking_code",
                )
            )
        else:
            tracking_codes[unit.short_code] = unit.code
    for point, source, path in sections["service_points"].values():
        if point.unit not in units:
            problems.append(Problem(source, f"{path}.unit", f"unknown local unit {describe_value(point.unit)}"))
    return problems
