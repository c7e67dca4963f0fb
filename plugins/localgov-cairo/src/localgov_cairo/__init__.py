"""Cairo governorate (محافظة القاهرة) for localgov.

The plugin registers data files: the organisation (4 zones, 38 districts, the technology
centers of the first phase and the mobile district) and the catalogue entries Cairo adds to the
core ones (its services, fee rules, document types, a role and the ``burial_allocation`` workflow).
Everything is plain TOML under ``data/`` so the governorate can review it without reading Python.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable

from localgov.catalogue.sources import DefinitionSource
from localgov.plugins.hookspecs import hookimpl

__all__ = [
    "CATALOGUE_SOURCES",
    "DATA",
    "ORGANISATION_SOURCES",
    "register_catalogue",
    "register_organisation",
]

DATA: Traversable = files(__name__) / "data"

# Listed rather than registering ``data/`` whole: organisation.toml is not a catalogue file.
CATALOGUE_SOURCES: tuple[Traversable, ...] = (
    DATA / "common.toml",
    DATA / "workflows.toml",
    DATA / "services",
)
ORGANISATION_SOURCES: tuple[Traversable, ...] = (DATA / "organisation.toml",)


@hookimpl
def register_catalogue(register: Callable[[DefinitionSource], None]) -> None:
    for source in CATALOGUE_SOURCES:
        register(source)


@hookimpl
def register_organisation(register: Callable[[DefinitionSource], None]) -> None:
    for source in ORGANISATION_SOURCES:
        register(source)
