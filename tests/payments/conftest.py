"""A Cairo building permit awaiting payment, the Fawry simulator, and the notification endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from localgov_fawry import FawrySimulator

from localgov.payments import PaymentLedger, Payments
from localgov.payments.web import notification_app, serve_notifications
from localgov.requests import Engine
from localgov.requests.model import Request

from ..requests.support import (
    ASSESSOR,
    CHECKER,
    ENGINEER,
    INSPECTOR,
    open_engine,
    submit_building_permit,
)

MERCHANT = "1tSa6uxz2nRlhbmxHHde5A=="
SECURE_KEY = "3f0c7a2e-91b4-4d55-8e0a-6c2d1b9f7e44"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'localgov.sqlite3'}")
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def awaiting_payment(engine: Engine) -> Callable[[], Request]:
    """Take a new building permit request through review, inspection and assessment."""

    def make() -> Request:
        request = submit_building_permit(engine)
        engine.act(request.id, "accept_documents", CHECKER)
        engine.act(request.id, "complete_review", ENGINEER)
        engine.act(request.id, "record_inspection", INSPECTOR)
        request = engine.act(request.id, "assess_fees", ASSESSOR)
        assert request.state == "awaiting_payment" and request.balance_due() > 0
        return request

    return make


@pytest.fixture
def simulator() -> Iterator[FawrySimulator]:
    with FawrySimulator(MERCHANT, SECURE_KEY) as running:
        yield running


@pytest.fixture
def ledger(engine: Engine) -> PaymentLedger:
    return PaymentLedger.for_engine(engine)


@pytest.fixture
def payments(engine: Engine, simulator: FawrySimulator, ledger: PaymentLedger) -> Iterator[Payments]:
    """Payments with Fawry, whose notifications reach localgov over HTTP on loopback."""
    payments = Payments(engine, [simulator.provider()], ledger=ledger)
    with serve_notifications(notification_app(engine, payments.providers, ledger=ledger)) as base_url:
        simulator.notification_url = f"{base_url}/payments/notify/fawry"
        yield payments
