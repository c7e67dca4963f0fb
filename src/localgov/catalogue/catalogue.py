"""The merged, validated catalogue an application works with."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from localgov.catalogue.checks import SINGULAR, check_entries
from localgov.catalogue.loading import OVERRIDES, SECTIONS, Located, ParsedEntries, parse_sources
from localgov.catalogue.messages import MessageTemplate
from localgov.catalogue.model import (
    Category,
    Channel,
    Department,
    DocumentType,
    FeeRule,
    Role,
    ServiceDefinition,
    WorkflowDefinition,
)
from localgov.catalogue.problems import CatalogueError, Problem
from localgov.catalogue.sources import DefinitionSource
from localgov.errors import LocalgovError
from localgov.i18n import LocalizedText

__all__ = ["Catalogue", "UnknownEntry", "load_catalogue"]


class UnknownEntry(LocalgovError, LookupError):
    """A code that names no entry of the catalogue (an unknown service, say)."""

    def __init__(self, section: str, code: str, known: Iterable[str]) -> None:
        self.section, self.code = section, code
        kind = SINGULAR.get(section, section.replace("_", " "))
        super().__init__(f"unknown {kind} {code!r} (known: {', '.join(sorted(known)) or 'none'})")


def _frozen(entries: dict[str, Located[Any]]) -> Mapping[str, Any]:
    return MappingProxyType({code: located.value for code, located in entries.items()})


@attrs.frozen
class Catalogue:
    """Every entry of the unified guide, by code. Build one with :func:`load_catalogue`."""

    categories: Mapping[str, Category]
    departments: Mapping[str, Department]
    roles: Mapping[str, Role]
    channels: Mapping[str, Channel]
    document_types: Mapping[str, DocumentType]
    fee_rules: Mapping[str, FeeRule]
    workflows: Mapping[str, WorkflowDefinition]
    services: Mapping[str, ServiceDefinition]
    messages: Mapping[str, MessageTemplate]
    # Where each entry was defined, for messages: (section, code) -> "file: path".
    origins: Mapping[tuple[str, str], str] = attrs.field(factory=dict, repr=False)
    # Each governorate's own version of the national services it overrides ([[overrides]]), already
    # merged: governorate code -> service code -> definition. ``services`` stays the national view.
    overrides: Mapping[str, Mapping[str, ServiceDefinition]] = attrs.field(factory=dict, repr=False)

    def service(self, code: str, governorate: str | None = None) -> ServiceDefinition:
        """The service with ``code`` as ``governorate`` offers it (the national definition when
        the governorate overrides nothing of it, or with no governorate); :class:`UnknownEntry` if
        there is none."""
        if governorate is not None:
            own = self.overrides.get(governorate, {}).get(code)
            if own is not None:
                return own
        try:
            return self.services[code]
        except KeyError:
            raise UnknownEntry("services", code, self.services) from None

    def for_governorate(self, governorate: str) -> Catalogue:
        """The catalogue as ``governorate`` sees it: the services it offers (the national ones and
        its own), its overrides in place of the national definitions.

        Another governorate's own services and overrides are never part of it.
        """
        own = self.overrides.get(governorate, {})
        offered = {
            code: own.get(code, service) for code, service in self.services.items() if service.offered_in(governorate)
        }
        return attrs.evolve(self, services=MappingProxyType(offered), overrides={})

    def message(self, service: str, kind: str) -> LocalizedText | None:
        """The wording of a ``kind`` message for ``service``: the service's own, else the default."""
        own = self.services[service].messages.get(kind) if service in self.services else None
        if own is not None:
            return own
        default = self.messages.get(kind)
        return default.text if default is not None else None

    def workflow(self, code: str) -> WorkflowDefinition:
        try:
            return self.workflows[code]
        except KeyError:
            raise UnknownEntry("workflows", code, self.workflows) from None

    def placeholders(self) -> list[tuple[str, str]]:
        """Figures the governorate must still set: (where, what) pairs, services and fee rules."""
        found = [
            (self.origins.get(("services", s.code), s.code), target)
            for s in self.services.values()
            for target in s.placeholders
        ]
        found += [
            (self.origins.get(("fee_rules", r.code), r.code), "amount")
            for r in self.fee_rules.values()
            if r.placeholder
        ]
        national = {(code, target) for code, s in self.services.items() for target in s.placeholders}
        found += [
            (self.origins.get((OVERRIDES, f"{governorate}/{s.code}"), f"{governorate}/{s.code}"), target)
            for governorate, services in sorted(self.overrides.items())
            for s in services.values()
            for target in s.placeholders
            if (s.code, target) not in national
        ]
        return found


def load_catalogue(
    sources: Iterable[DefinitionSource],
    *,
    known_guards: Collection[str] = (),
    extra: Mapping[str, Iterable[tuple[Any, str]]] | None = None,
    known_governorates: Collection[str] | None = None,
) -> Catalogue:
    """Load, check and merge catalogue files; raise :class:`CatalogueError` listing every problem.

    ``extra`` adds entries defined in code, by section: ``{"fee_rules": [(rule, "plugin x")]}``.
    ``known_guards`` names the workflow guards the engine can evaluate; ``known_governorates`` the
    governorate codes an override may name.
    """
    entries, problems, broken = parse_sources(sources)
    problems += _merge_extra(entries, extra or {})
    problems += check_entries(entries, known_guards, broken, known_governorates)
    if problems:
        raise CatalogueError(problems)
    overrides: dict[str, dict[str, ServiceDefinition]] = {}
    for located in entries[OVERRIDES].values():
        override = located.value
        national = entries["services"][override.service].value
        overrides.setdefault(override.governorate, {})[override.service] = override.apply(national)
    return Catalogue(
        **{section: _frozen(entries[section]) for section in SECTIONS},
        origins=MappingProxyType(
            {
                (section, code): f"{located.source}: {located.path}"
                for section in (*SECTIONS, OVERRIDES)
                for code, located in entries[section].items()
            }
        ),
        overrides=MappingProxyType({code: MappingProxyType(services) for code, services in overrides.items()}),
    )


def _merge_extra(entries: ParsedEntries, extra: Mapping[str, Iterable[tuple[Any, str]]]) -> list[Problem]:
    problems = []
    for section, items in extra.items():
        for value, origin in items:
            path = f"{section}.{value.code}"
            earlier = entries[section].get(value.code)
            if earlier is not None:
                problems.append(Problem(origin, path, f"duplicate code, already defined in {earlier.source}"))
            else:
                entries[section][value.code] = Located(value, origin, path)
    return problems
