"""What every handler is given: the application, its engine, the payment ledger and the settings."""

from __future__ import annotations

import datetime
from functools import cached_property

import attrs

from localgov.app import Localgov
from localgov.correspondence import Correspondence
from localgov.limits import AttemptLimit, MemoryAttemptLimit
from localgov.payments import PaymentLedger
from localgov.reports import Reports
from localgov.requests import Engine
from localgov.storage import SqlAttemptLimit, SqlStore
from localgov.storage.permit_log import SqlPermitLog
from localgov.web.settings import WebSettings

__all__ = ["WebContext"]


@attrs.define
class WebContext:
    """One deployment's objects, shared by every handler (the engine is safe across threads)."""

    localgov: Localgov
    engine: Engine
    settings: WebSettings = attrs.field(factory=WebSettings)
    #: The public permit log served under ``/log/``, when the deployment keeps one.
    permit_log: SqlPermitLog | None = None
    #: The letters between units served under ``/api/v1/letters``; by default, those in the engine's
    #: database, which can be read but not sent (no unit's signing credential is given).
    letters: Correspondence | None = None

    @cached_property
    def correspondence(self) -> Correspondence:
        if self.letters is not None:
            return self.letters
        return self.localgov.correspondence(engine=self.engine, signers={})

    @cached_property
    def ledger(self) -> PaymentLedger:
        return PaymentLedger.for_engine(self.engine)

    @cached_property
    def reports(self) -> Reports:
        """The reports over the engine's database, their projection at most ``reports_max_age``
        seconds old (docs/reports.md)."""
        return Reports.for_engine(
            self.engine,
            catalogue=self.localgov.catalogue,
            organisation=self.localgov.organisation,
            max_age=datetime.timedelta(seconds=self.settings.reports_max_age),
        )

    @cached_property
    def access_code_limiter(self) -> AttemptLimit:
        """Wrong access codes per client address, shared by the status page and the status API
        (and, with ``shared_limits``, by every worker through the engine's database)."""
        tries, window = self.settings.access_code_tries, self.settings.access_code_window
        store = self.engine.store
        if self.settings.shared_limits and isinstance(store, SqlStore):
            return SqlAttemptLimit(store.engine, "access_code", tries, window)
        return MemoryAttemptLimit(tries, window)
