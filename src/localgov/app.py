"""The application object an embedding system creates: plugins, catalogue and organisation together."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from localgov.calendar import WorkingCalendar, egypt_calendar
from localgov.catalogue import Catalogue, load_catalogue
from localgov.catalogue.sources import DefinitionSource
from localgov.correspondence import Correspondence, Letter, LetterHooks, LetterStore
from localgov.errors import LocalgovError
from localgov.i18n import Language
from localgov.organisation import GOVERNORATES, Governorate, StaffMember, load_organisation
from localgov.pki import Credential
from localgov.plugins import Guard, Notifier, PaymentProvider, Plugins
from localgov.requests import Engine, EventRow, Request, Store
from localgov.requests.hooks import LifecycleHooks

__all__ = ["Localgov"]


class Localgov:
    """localgov for one deployment.

    Nothing is loaded until first used. ``Localgov(plugins=["cairo"])`` loads the built-in plugin
    and the Cairo plugin; ``plugins=None`` loads every installed plugin (narrowed by the
    ``LOCALGOV_PLUGINS`` environment variable, if set).

    :param catalogue: extra catalogue files or folders, beside those the plugins register.
    :param organisation: extra organisation files, beside those the plugins register.
    :param plugin_objects: plugin modules or objects to register directly (tests, embedded apps).
    :param settings: each plugin's settings by plugin name (``{"fawry": {"merchant_code": ...}}``),
        read by plugins through :meth:`settings_for`.
    """

    def __init__(
        self,
        plugins: Sequence[str] | None = None,
        *,
        catalogue: Iterable[DefinitionSource] = (),
        organisation: Iterable[DefinitionSource] = (),
        plugin_objects: Iterable[object] = (),
        settings: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.plugins = Plugins(plugins, objects=plugin_objects)
        self._settings = {name: dict(values) for name, values in (settings or {}).items()}
        self._extra_catalogue = tuple(catalogue)
        self._extra_organisation = tuple(organisation)

    def settings_for(self, plugin: str) -> Mapping[str, str]:
        """The settings this application was given for ``plugin`` (``settings={"fawry": {...}}``)."""
        return self._settings.get(plugin, {})

    def _collect(self, hook_name: str) -> list[tuple[Any, str]]:
        """Call a ``register_*`` hook; return what each plugin registered, with the plugin's name.

        The hook is called through pluggy, once per plugin that answers it (a subset caller, with
        every wrapper kept), so tracing and wrappers see each call and a duplicate can be named.
        """
        collected: list[tuple[Any, str]] = []
        manager = self.plugins.manager
        answering = [
            implementation
            for implementation in getattr(manager.hook, hook_name).get_hookimpls()
            if not (implementation.wrapper or implementation.hookwrapper)
        ]
        for implementation in answering:
            origin = f"plugin {implementation.plugin_name}"

            def register(*item: Any, origin: str = origin) -> None:
                collected.append((item[0] if len(item) == 1 else item, origin))

            others = [other.plugin for other in answering if other.plugin is not implementation.plugin]
            manager.subset_hook_caller(hook_name, remove_plugins=others)(register=register, app=self)
        return collected

    @cached_property
    def guards(self) -> Mapping[str, Guard]:
        guards: dict[str, Guard] = {}
        for (name, guard), origin in self._collect("register_guards"):
            if name in guards:
                raise LocalgovError(f"{origin}: guard {name!r} is already registered")
            guards[name] = guard
        return guards

    @cached_property
    def catalogue(self) -> Catalogue:
        sources = [source for source, _ in self._collect("register_catalogue")]
        extra = {
            "services": self._collect("register_services"),
            "fee_rules": self._collect("register_fee_rules"),
            "channels": self._collect("register_channels"),
        }
        return load_catalogue(
            [*sources, *self._extra_catalogue],
            known_guards=self.guards,
            extra=extra,
            known_governorates={g.code for g in GOVERNORATES},
        )

    @cached_property
    def organisation(self) -> Mapping[str, Governorate]:
        sources = [source for source, _ in self._collect("register_organisation")]
        return load_organisation([*sources, *self._extra_organisation])

    def engine(
        self,
        store: Store | str = "sqlite://",
        *,
        staff: Iterable[StaffMember] = (),
        calendar: WorkingCalendar | None = None,
        audit_key: bytes = b"",
        clock: Callable[[], datetime.datetime] | None = None,
        timezone: datetime.tzinfo | None = None,
        listeners: Iterable[LifecycleHooks] = (),
        notice_language: Language | None = "ar",
    ) -> Engine:
        """A lifecycle engine over ``store``: a :class:`localgov.requests.ports.Store` or a database URL.

        ``"sqlite://"`` is in memory, ``"sqlite:///path.db"`` a file, ``"postgresql+psycopg://..."``
        PostgreSQL. ``audit_key`` keys the history hash chain: keep it outside the database.
        ``timezone`` is where the citizens are (Egypt's by default): the day time limits count from.
        ``listeners`` hear every lifecycle event after the plugins do (a
        :class:`localgov.requests.checkpointer.Checkpointer`, for instance).
        ``notice_language`` is the language of the applicant's messages the engine queues in the
        store's outbox (``None``: none; docs/notifications.md).
        """
        if isinstance(store, str):
            from localgov.payments import migrate_payments
            from localgov.storage import SqlStore

            store = SqlStore.open(store)
            migrate_payments(store.engine)
        options: dict[str, Any] = {} if clock is None else {"clock": clock}
        if timezone is not None:
            options["timezone"] = timezone
        return Engine(
            catalogue=self.catalogue,
            organisation=self.organisation,
            store=store,
            calendar=calendar or egypt_calendar(),
            staff=staff,
            guards=self.guards,
            audit_key=audit_key,
            hooks=_PluginLifecycleHooks(self.plugins, tuple(listeners)),
            notice_language=notice_language,
            **options,
        )

    def correspondence(
        self,
        store: LetterStore | str | None = None,
        *,
        engine: Engine | None = None,
        signers: Mapping[str, Credential] | Callable[[str], Credential | None],
        chain: Sequence[Any] = (),
        audit_key: bytes | None = None,
        calendar: WorkingCalendar | None = None,
        clock: Callable[[], datetime.datetime] | None = None,
        listeners: Iterable[LetterHooks] = (),
    ) -> Correspondence:
        """The letters between units (docs/correspondence.md), beside ``engine``'s requests.

        ``store`` is a :class:`localgov.correspondence.LetterStore` or a database URL; by default
        the tables live in the engine's own database. ``signers`` are the units' document-signing
        credentials by unit code (``{"C-ZTN": credential}``), ``chain`` the certificates above
        them. The audit key, calendar and clock default to the engine's. Overdue replies reach the
        plugins' ``letter_overdue`` hook, then each of ``listeners``.
        """
        from localgov.storage import SqlLetterStore

        if isinstance(store, str):
            store = SqlLetterStore.open(store)
        elif store is None:
            if engine is None or not hasattr(engine.store, "engine"):
                raise LocalgovError("correspondence needs a store or URL, or an engine over an SQL store")
            store = SqlLetterStore(engine.store.engine)
        options: dict[str, Any] = {}
        if clock is not None or engine is not None:
            options["clock"] = clock or engine.now  # type: ignore[union-attr]
        if engine is not None:
            options["timezone"] = engine.timezone
        return Correspondence(
            store,
            organisation=self.organisation,
            calendar=calendar or (engine.calendar if engine is not None else egypt_calendar()),
            signers=signers,
            chain=chain,
            departments=self.catalogue.departments,
            audit_key=audit_key if audit_key is not None else (engine.audit_key if engine is not None else b""),
            engine=engine,
            hooks=_PluginLetterHooks(self.plugins, tuple(listeners)),
            **options,
        )

    @cached_property
    def payment_providers(self) -> Mapping[str, PaymentProvider]:
        return {provider.code: provider for provider, _ in self._collect("register_payment_providers")}

    @cached_property
    def notifiers(self) -> Mapping[str, Notifier]:
        return {notifier.code: notifier for notifier, _ in self._collect("register_notifiers")}


class _PluginLifecycleHooks:
    """The engine's lifecycle hooks, forwarded to the plugins' ``request_event`` and ``request_overdue``."""

    def __init__(self, plugins: Plugins, listeners: tuple[LifecycleHooks, ...] = ()) -> None:
        self._plugins = plugins
        self._listeners = listeners

    def request_event(self, *, request: Request, event: EventRow) -> None:
        # Asked each time, as plugins may register later; calling a hook nobody implements costs
        # more than asking.
        caller = self._plugins.hook.request_event
        if caller.get_hookimpls():
            caller(request=request, event=event)
        for listener in self._listeners:
            listener.request_event(request=request, event=event)

    def request_overdue(self, *, request: Request, due: datetime.date, overdue_working_days: int) -> None:
        self._plugins.hook.request_overdue(request=request, due=due, overdue_working_days=overdue_working_days)
        for listener in self._listeners:
            listener.request_overdue(request=request, due=due, overdue_working_days=overdue_working_days)


class _PluginLetterHooks:
    """The correspondence's hook, forwarded to the plugins' ``letter_overdue`` and then the listeners."""

    def __init__(self, plugins: Plugins, listeners: tuple[LetterHooks, ...] = ()) -> None:
        self._plugins = plugins
        self._listeners = listeners

    def letter_overdue(self, *, letter: Letter, due: datetime.date, overdue_working_days: int) -> None:
        self._plugins.hook.letter_overdue(letter=letter, due=due, overdue_working_days=overdue_working_days)
        for listener in self._listeners:
            listener.letter_overdue(letter=letter, due=due, overdue_working_days=overdue_working_days)
