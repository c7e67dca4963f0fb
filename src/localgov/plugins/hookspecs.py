"""The hooks through which plugins extend localgov.

Every hook that adds something receives a ``register`` callback: localgov owns the collection and a
plugin only adds to it; and ``app``, the application asking, whose ``settings_for(name)`` holds
the plugin's settings (a provider's merchant code, say) when the application was given them. A hookimpl may accept fewer arguments than its spec lists, which is how a
hook gains an argument without breaking existing plugins. Each hook is documented in
``docs/plugins/hooks.md``; a test fails if one is not, or has no test of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography import x509

    from localgov.catalogue import Channel, FeeRule, ServiceDefinition
    from localgov.catalogue.sources import DefinitionSource
    from localgov.correspondence import Letter
    from localgov.documents import DocumentBranding
    from localgov.i18n import LocalizedText
    from localgov.organisation import Governorate, LocalUnit
    from localgov.pki import Credential
    from localgov.plugins.protocols import Guard, Notifier, PaymentProvider, PluginHost
    from localgov.requests import Engine, EventRow, Request

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "localgov"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_catalogue(register: Callable[[DefinitionSource], None], app: PluginHost) -> None:
    """Add catalogue files: TOML files or folders of them (services, fee rules, workflows...).

    :param register: call with a path, or a :class:`importlib.resources.abc.Traversable` for files
        shipped inside the plugin's package (``importlib.resources.files(__package__) / "data"``).

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_services(register: Callable[[ServiceDefinition], None], app: PluginHost) -> None:
    """Add services built in code rather than read from a file.

    :param register: call with a :class:`localgov.catalogue.ServiceDefinition`; it is checked with
        the rest of the catalogue (its category, workflow, documents and fee rules must exist).

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_fee_rules(register: Callable[[FeeRule], None], app: PluginHost) -> None:
    """Add fee rules built in code (a governorate's tariff computed from its own tables).

    :param register: call with a :class:`localgov.catalogue.FeeRule`.

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_channels(register: Callable[[Channel], None], app: PluginHost) -> None:
    """Add intake channels beyond the built-in ones (front desk, portal, mobile unit, post office).

    :param register: call with a :class:`localgov.catalogue.Channel`.

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_organisation(register: Callable[[DefinitionSource], None], app: PluginHost) -> None:
    """Add organisation files: a governorate's zones, local units and service points.

    :param register: call with a path or a packaged ``Traversable``.

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_guards(register: Callable[[str, Guard], None], app: PluginHost) -> None:
    """Add workflow guards: named conditions an action may require (``guards = ["..."]``).

    :param register: call with the guard's name and a function taking the request and returning
        ``None`` when the action may go ahead, or a bilingual reason when it may not.

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_payment_providers(register: Callable[[PaymentProvider], None], app: PluginHost) -> None:
    """Add payment providers (Fawry, e-finance...).

    :param register: call with an object implementing :class:`localgov.plugins.protocols.PaymentProvider`.

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def register_notifiers(register: Callable[[Notifier], None], app: PluginHost) -> None:
    """Add notifiers that tell citizens about their requests (SMS gateways, e-mail...).

    :param register: call with an object implementing :class:`localgov.plugins.protocols.Notifier`.

    :param app: the application asking: ``app.settings_for(name)`` holds the plugin's settings.

    .. versionadded:: 0.1
    """


@hookspec
def request_event(request: Request, event: EventRow) -> None:
    """React to a committed lifecycle event of a request (submitted, acted on, issued...).

    Called after the event is durably stored; an exception here does not undo it.

    :param request: the request after the event.
    :param event: the history event just recorded.

    .. versionadded:: 0.1
    """


@hookspec
def request_overdue(request: Request, due: datetime.date, overdue_working_days: int) -> None:
    """Escalate a request that has passed a time limit.

    :param request: the overdue request.
    :param due: the due date that passed (``datetime.date``).
    :param overdue_working_days: how many working days late it is.

    .. versionadded:: 0.1
    """


@hookspec
def letter_overdue(letter: Letter, due: datetime.date, overdue_working_days: int) -> None:
    """Escalate a letter whose reply is late: the sibling of ``request_overdue`` for correspondence.

    Called by :meth:`localgov.correspondence.Correspondence.overdue` for each letter asking for a
    reply by a date that has passed with none.

    :param letter: the letter awaiting its reply (:class:`localgov.correspondence.Letter`).
    :param due: its reply-by date (``datetime.date``, a working day).
    :param overdue_working_days: how many working days late the reply is.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def document_branding(governorate: Governorate, unit: LocalUnit) -> DocumentBranding | None:
    """Brand the documents a local unit prints: logo, header lines, the signatory's title.

    The first plugin that answers wins; a plugin returns ``None`` for governorates it does not
    serve, and localgov then prints a plain header (the republic, the governorate, the unit).

    :param governorate: the :class:`localgov.organisation.Governorate` issuing the document.
    :param unit: the issuing :class:`localgov.organisation.LocalUnit`.
    :return: a :class:`localgov.documents.DocumentBranding`, or ``None``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def demo_payment(engine: Engine, request: Request) -> str | None:
    """Pay ``request``'s balance through a provider's simulator, for ``localgov demo``.

    A payment plugin that ships a simulator answers with the reference the citizen paid, once the
    provider's notification has moved the request on; the first answer wins. With no answer the
    demo records the payment at the counter.

    :param engine: the demo's engine (its clock is the scenario's).
    :param request: the request awaiting payment.
    :return: the payment reference, or ``None``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def demo_sms(engine: Engine, request: Request) -> Sequence[tuple[str, str, str]] | None:
    """Deliver the demo's outbox through an SMS plugin's simulator, for ``localgov demo``.

    A notifier plugin that ships a simulator sends the queued messages through it and answers
    with what went between the applicant's phone and the government, in order, as
    ``(from, to, text)``; the first answer wins. With no answer the demo delivers through the
    HTTP gateway's simulator (:mod:`localgov.notifications.http_simulator`).

    :param engine: the demo's engine (its store holds the outbox).
    :param request: the demo's request, issued.
    :return: the messages, or ``None``.

    .. versionadded:: 0.1
    """


@hookspec
def demo_field_channel(
    engine: Engine,
    governorate_ca: Credential,
    unit_signer: Credential,
    root: x509.Certificate,
    output: Path,
    step: Callable[[LocalizedText], None],
    echo: Callable[[str], None],
) -> None:
    """Show a request taken in the field by a channel plugin, for ``localgov demo``.

    Called once the demo's permit is issued; every plugin that answers shows its own step, in the
    order the plugins load. The demo runs in Zeitoun, Cairo, on the demo's own certificates.

    :param engine: the demo's engine (its clock is the scenario's; its staff, Zeitoun's).
    :param governorate_ca: the demo's Cairo CA, which certifies the unit's devices.
    :param unit_signer: Zeitoun's document-signing certificate and key.
    :param root: the demo's national root certificate.
    :param output: the demo's output folder, for the files the step writes.
    :param step: prints a step's heading (Arabic, then English).
    :param echo: prints one line.

    .. versionadded:: 0.1
    """
