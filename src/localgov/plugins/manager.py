"""Finding, loading and asking plugins.

Loading is explicit and lazy: nothing is imported until the first question is asked. An embedding
application names the plugins it wants (or takes every installed one), and the environment
variable ``LOCALGOV_PLUGINS`` (a comma-separated list of entry-point names) can narrow that further,
e.g. to run one governorate's plugin alone. A hookimpl that names no known hook fails at start-up.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import attrs
import pluggy

from localgov.errors import LocalgovError
from localgov.plugins import hookspecs

__all__ = ["DEFAULT_PLUGINS", "ENTRY_POINT_GROUP", "ENV_VAR", "PluginError", "PluginInfo", "Plugins"]

ENTRY_POINT_GROUP = "localgov"
ENV_VAR = "LOCALGOV_PLUGINS"

# Built-in behaviour is registered exactly like a third-party plugin's.
DEFAULT_PLUGINS: tuple[str, ...] = ("localgov.plugins.builtin",)


class PluginError(LocalgovError):
    """A plugin cannot be found, imported, or implements a hook localgov does not have."""


@attrs.frozen
class PluginInfo:
    """What ``localgov plugins`` shows about one loaded plugin."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    builtin: bool


def _installed() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _from_env() -> set[str] | None:
    value = os.environ.get(ENV_VAR)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


class Plugins:
    """The plugins of one application.

    :param names: entry-point names to load; ``None`` loads every installed plugin.
    :param objects: plugin objects (modules or instances) to register directly, e.g. in tests.
    """

    def __init__(self, names: Sequence[str] | None = None, *, objects: Iterable[object] = ()) -> None:
        self._names = None if names is None else tuple(names)
        self._objects = tuple(objects)
        self._manager: pluggy.PluginManager | None = None
        self._info: list[PluginInfo] = []

    @property
    def hook(self) -> Any:
        """The pluggy hook relay: ``plugins.hook.register_catalogue(register=...)``."""
        return self.manager.hook

    @property
    def manager(self) -> pluggy.PluginManager:
        if self._manager is None:
            self._manager = self._load()
        return self._manager

    def info(self) -> list[PluginInfo]:
        """Every loaded plugin with its distribution, version and the hooks it implements."""
        self.manager  # noqa: B018 - loads on first use
        return list(self._info)

    def _load(self) -> pluggy.PluginManager:
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        for module_name in DEFAULT_PLUGINS:
            self._register(manager, importlib.import_module(module_name), module_name, None, builtin=True)

        installed = _installed()
        wanted = set(installed) if self._names is None else set(self._names)
        unknown = sorted(wanted - set(installed))
        if unknown:
            raise PluginError(
                f"plugin {', '.join(map(repr, unknown))} is not installed "
                f"(installed: {', '.join(sorted(installed)) or 'none'})"
            )
        allowed = _from_env()
        if allowed is not None:
            wanted &= allowed
        for name in sorted(wanted):
            entry_point = installed[name]
            try:
                plugin = entry_point.load()
            except Exception as error:
                raise PluginError(f"plugin {name!r} ({entry_point.value}) failed to import: {error}") from error
            self._register(manager, plugin, name, entry_point, builtin=False)
        for index, plugin in enumerate(self._objects):
            name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{index}"
            self._register(manager, plugin, name, None, builtin=False)

        try:
            manager.check_pending()
        except pluggy.PluginValidationError as error:
            raise PluginError(f"plugin {error.plugin!r} implements an unknown hook: {error}") from error
        return manager

    def _register(
        self, manager: pluggy.PluginManager, plugin: object, name: str, entry_point: EntryPoint | None, *, builtin: bool
    ) -> None:
        try:
            manager.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as error:
            raise PluginError(f"plugin {name!r} cannot be registered: {error}") from error
        distribution = entry_point.dist if entry_point is not None else None
        hooks = tuple(sorted(impl.name for impl in manager.get_hookcallers(plugin) or ()))
        self._info.append(
            PluginInfo(
                name=name,
                distribution=distribution.name if distribution is not None else None,
                version=distribution.version if distribution is not None else None,
                hooks=hooks,
                builtin=builtin,
            )
        )
