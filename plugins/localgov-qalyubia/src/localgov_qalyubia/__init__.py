"""Qalyubia governorate (محافظة القليوبية) for localgov: a regional governorate, not a city.

Cairo is divided into districts only; Qalyubia, like 22 other governorates, into marakez (مراكز),
cities (مدن) and villages (قرى), with districts (أحياء) inside its largest city, Shubra El
Kheima. The plugin registers data files: the organisation (units with their ``parent``, the
technology centers as far as public facts go) and Qalyubia's catalogue, which defines no service
of its own: it offers the national services of localgov's core catalogue and overrides only what
differs in Qalyubia (``[[overrides]]``: channels and fees), never copying a definition.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from localgov.catalogue.sources import DefinitionSource
from localgov.plugins.hookspecs import hookimpl

__all__ = [
    "CATALOGUE_SOURCES",
    "CODE",
    "DATA",
    "ORGANISATION_SOURCES",
    "document_branding",
    "register_catalogue",
    "register_organisation",
]

CODE = "KB"  # ISO 3166-2:EG
DATA: Traversable = files(__name__) / "data"
# Listed rather than registering ``data/`` whole: organisation.toml is not a catalogue file.
CATALOGUE_SOURCES: tuple[Traversable, ...] = (DATA / "services.toml",)
ORGANISATION_SOURCES: tuple[Traversable, ...] = (DATA / "organisation.toml",)


@hookimpl
def register_catalogue(register: Callable[[DefinitionSource], None]) -> None:
    for source in CATALOGUE_SOURCES:
        register(source)


@hookimpl
def register_organisation(register: Callable[[DefinitionSource], None]) -> None:
    for source in ORGANISATION_SOURCES:
        register(source)


@hookimpl
def document_branding(governorate: Any, unit: Any) -> Any:
    """Qalyubia's header: the unit under the units it belongs to (a village under its markaz)."""
    if governorate.code != CODE:
        return None
    from localgov.documents import DocumentBranding
    from localgov.i18n import LocalizedText

    # Outermost first, as a letterhead reads: governorate, markaz, then the village's own unit.
    lineage = [u.name for u in reversed(governorate.lineage(unit.code))]
    return DocumentBranding(
        header=(
            LocalizedText("جمهورية مصر العربية", "Arab Republic of Egypt"),
            LocalizedText("محافظة القليوبية", "Qalyubia Governorate"),
            *lineage,
        ),
        signatory=LocalizedText(f"رئيس {unit.name.ar}", f"Head of {unit.name.en}"),
        accent=(0.10, 0.40, 0.25),
    )
