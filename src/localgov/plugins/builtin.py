"""localgov's own behaviour, registered as a default plugin like any other."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from localgov.catalogue.sources import DefinitionSource
from localgov.plugins.hookspecs import hookimpl
from localgov.plugins.protocols import Guard
from localgov.requests.guards import BUILTIN_GUARDS


@hookimpl
def register_catalogue(register: Callable[[DefinitionSource], None]) -> None:
    register(files("localgov.catalogue") / "data")


@hookimpl
def register_guards(register: Callable[[str, Guard], None]) -> None:
    for name, guard in BUILTIN_GUARDS.items():
        register(name, guard)
