"""localgov's plugin system, built on pluggy.

Plugin authors need two names: :data:`hookimpl` to mark their implementations and the hook
reference in ``docs/plugins/hooks.md``. Both markers are also importable from ``localgov``.
"""

from localgov.plugins.hookspecs import hookimpl, hookspec
from localgov.plugins.manager import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    ENV_VAR,
    PluginError,
    PluginInfo,
    Plugins,
)
from localgov.plugins.protocols import Guard, Notifier, PaymentProvider, PluginHost

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "Guard",
    "Notifier",
    "PaymentProvider",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "Plugins",
    "hookimpl",
    "hookspec",
]
