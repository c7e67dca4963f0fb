"""e-finance: a government bill paid at a post office, a POS terminal or by Meeza card, end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from efinance_harness import BILLER, SECRET
from localgov_efinance import (
    EFinanceProvider,
    EFinanceSettings,
    EFinanceSimulator,
    ProvisionalWireFormat,
)

from localgov.payments import (
    InvalidNotificationSignature,
    Outcome,
    PaymentConfigurationError,
    PaymentLedger,
    PaymentMethod,
    Payments,
    ProviderError,
    Secret,
)
from localgov.payments.web import notification_app, serve_notifications
from localgov.testing.payments import make_order


def test_a_wrong_secret_is_refused(simulator: EFinanceSimulator) -> None:
    forger = EFinanceProvider(EFinanceSettings(BILLER, Secret("wrong"), simulator.base_url))
    with pytest.raises(ProviderError) as refused:
        forger.create_payment(make_order())
    assert refused.value.code == "SIGNATURE"


def test_a_notification_signed_with_another_timestamp_is_refused(simulator: EFinanceSimulator) -> None:
    provider = simulator.provider()
    created = provider.create_payment(make_order())
    sent = simulator.pay(created.provider_ref, notify=False)
    with pytest.raises(InvalidNotificationSignature):
        provider.parse_notification(sent.body, {**sent.headers, "X-EF-Timestamp": "2020-01-01T00:00:00Z"})
    assert provider.parse_notification(sent.body, sent.headers).method == "POST_OFFICE"


@pytest.mark.parametrize("channel", ["POST_OFFICE", "GOV_POS", "MEEZA_CARD"])
def test_every_channel_settles_the_bill(simulator: EFinanceSimulator, channel: str) -> None:
    provider = simulator.provider()
    created = provider.create_payment(make_order(Decimal("750.00")))
    notification = provider.parse_notification(
        *_body_headers(simulator.pay(created.provider_ref, channel=channel, notify=False))
    )
    assert (notification.method, notification.amount) == (channel, Decimal("750.00"))


def _body_headers(sent: object) -> tuple[bytes, dict[str, str]]:
    return sent.body, dict(sent.headers)  # type: ignore[attr-defined]


def test_the_wire_format_is_replaceable() -> None:
    calls = []

    class RecordingTransport:
        def request(
            self, method: str, url: str, body: bytes | None = None, headers: object = None
        ) -> tuple[int, bytes]:
            calls.append((method, url))
            return 200, json.dumps({"billReference": "B1", "status": "UNPAID"}).encode()

    settings = EFinanceSettings(BILLER, Secret(SECRET), "https://efinance.example")
    provider = EFinanceProvider(
        settings, wire=ProvisionalWireFormat(BILLER, Secret(SECRET)), transport=RecordingTransport()
    )  # type: ignore[arg-type]
    created = provider.create_payment(make_order())
    assert created.reference_number == "B1" and calls == [("POST", "https://efinance.example/api/v1/bills")]


def test_settings_from_the_environment() -> None:
    settings = EFinanceSettings.from_env(
        {
            "LOCALGOV_EFINANCE_BILLER_ID": BILLER,
            "LOCALGOV_EFINANCE_SECRET": SECRET,
            "LOCALGOV_EFINANCE_BASE_URL": "https://x",
        }
    )
    assert SECRET not in repr(settings) and SECRET not in repr(EFinanceProvider(settings))
    with pytest.raises(PaymentConfigurationError, match="LOCALGOV_EFINANCE_SECRET"):
        EFinanceSettings.from_env({"LOCALGOV_EFINANCE_BILLER_ID": BILLER, "LOCALGOV_EFINANCE_BASE_URL": "https://x"})


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[object]:
    from localgov.app import Localgov
    from localgov.storage import SqlStore

    store = SqlStore.open(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    yield Localgov(plugins=["cairo"]).engine(store, staff=_staff())
    store.close()


def _staff() -> list[object]:
    from localgov.organisation import StaffMember

    roles = ("front_desk_clerk", "document_checker", "engineer", "field_inspector", "fee_assessor")
    return [StaffMember(f"s-{role}", role, "zeitoun", frozenset({role})) for role in roles]


def test_a_bill_paid_at_a_post_office_moves_the_request_on(engine: object, simulator: EFinanceSimulator) -> None:
    import datetime

    from localgov.identity import compose_national_id
    from localgov.requests import DocumentUpload
    from localgov.requests.model import Applicant

    e: object = engine
    staff = {m.id.removeprefix("s-"): m for m in _staff()}  # type: ignore[attr-defined]
    documents = [
        "national_id_copy",
        "ownership_proof",
        "site_validity_statement",
        "engineering_drawings",
        "supervising_engineer_undertaking",
    ]
    request = e.submit(  # type: ignore[attr-defined]
        "building_permit",
        unit="zeitoun",
        channel="front_desk",
        service_point="zeitoun_tc",
        actor=staff["front_desk_clerk"],
        applicant=Applicant(compose_national_id(datetime.date(1985, 1, 2), "01", 4321), "سارة محمود", "01112345678"),
        form={
            "applicant_capacity": "owner",
            "parcel_reference": "ZTN/1/2",
            "site_address": "شارع الزيتون",
            "floors": "3",
            "height_m": "9",
            "built_area": "120",
            "building_use": "residential",
            "estimated_cost": "900000",
        },
        documents=[DocumentUpload(t, b"%PDF-1.4 " + t.encode(), "pdf") for t in documents],
    )
    for action, role in (
        ("accept_documents", "document_checker"),
        ("complete_review", "engineer"),
        ("record_inspection", "field_inspector"),
        ("assess_fees", "fee_assessor"),
    ):
        request = e.act(request.id, action, staff[role])  # type: ignore[attr-defined]
    ledger = PaymentLedger.for_engine(e)
    payments = Payments(e, [simulator.provider()], ledger=ledger)
    created = payments.start(request.id, "efinance", method=PaymentMethod.OUTLET)
    with serve_notifications(notification_app(e, payments.providers, ledger=ledger)) as base_url:
        simulator.notification_url = f"{base_url}/payments/notify/efinance"
        assert simulator.pay(created.provider_ref, channel="POST_OFFICE").response_status == 200
        assert json.loads(simulator.resend(created.provider_ref).response_body or b"{}")["outcome"] == Outcome.DUPLICATE
    after = e.get(request.id)  # type: ignore[attr-defined]
    assert after.state == "approval" and [p.provider for p in after.payments] == ["efinance"]


def test_the_plugin_registers_the_provider() -> None:
    from localgov.app import Localgov

    assert isinstance(Localgov(plugins=["efinance"]).payment_providers["efinance"], EFinanceProvider)
