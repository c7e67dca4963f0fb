"""What plugin-provided objects must look like.

Each contract lives beside the code that uses it and is re-exported here for plugin authors: the
guard with the engine (:mod:`localgov.requests.guards`), the payment provider with payments
(:mod:`localgov.payments.protocol`), the notifier with notifications
(:mod:`localgov.notifications.protocol`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from localgov.notifications.protocol import Notifier
from localgov.payments.protocol import PaymentProvider
from localgov.requests.guards import Guard

__all__ = ["Guard", "Notifier", "PaymentProvider", "PluginHost"]


class PluginHost(Protocol):
    """What a hook sees of the application calling it (a :class:`localgov.Localgov`)."""

    def settings_for(self, plugin: str) -> Mapping[str, str]:
        """The settings the application was given for ``plugin``; empty if none."""
        ...
