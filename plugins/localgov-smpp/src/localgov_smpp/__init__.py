"""SMPP 3.4 for localgov: an SMS notifier bound as a transceiver, and a loopback SMSC simulator.

Registered as the ``smpp`` notifier when the application has settings for it::

    Localgov(settings={"smpp": {"host": "smsc.example", "port": "2775", "system_id": "...",
                                "password": "...", "sender": "LocalGov"}})

See the plugin's README and docs/notifications.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from localgov import hookimpl
from localgov.notifications import Notifier
from localgov.plugins import PluginHost
from localgov.requests import Engine
from localgov.requests.model import Request
from localgov_smpp.notifier import InboundAnswer, SmppNotifier
from localgov_smpp.pdu import PduError
from localgov_smpp.settings import SmppSettings
from localgov_smpp.simulator import ReceivedSms, SmscSimulator
from localgov_smpp.text import TextError

__all__ = [
    "InboundAnswer",
    "PduError",
    "ReceivedSms",
    "SmppNotifier",
    "SmppSettings",
    "SmscSimulator",
    "TextError",
    "demo_sms",
    "register_notifiers",
]


@hookimpl
def register_notifiers(register: Callable[[Notifier], None], app: PluginHost) -> None:
    """The ``smpp`` notifier, when the application has settings for it or the environment has
    ``LOCALGOV_SMPP_HOST`` (and the rest: the plugin's README)."""
    given = app.settings_for("smpp")
    settings = SmppSettings.from_mapping(given) if given else SmppSettings.from_environment(os.environ)
    if settings is not None:
        register(SmppNotifier(settings))


@hookimpl
def demo_sms(engine: Engine, request: Request) -> Sequence[tuple[str, str, str]] | None:
    """The demo's messages through the simulated SMSC, and a status inquiry answered by SMS."""
    from localgov_smpp.demo import exchange_over_smpp

    return exchange_over_smpp(engine, request)
