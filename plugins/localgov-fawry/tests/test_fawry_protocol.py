"""The Fawry client and the simulator speaking FawryPay's protocol: fields, codes, encodings."""

from __future__ import annotations

import datetime
import json
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from fawry_harness import MERCHANT, SECURE_KEY
from localgov_fawry import (
    FawryProvider,
    FawrySettings,
    FawrySimulator,
    SimulatorError,
    status_signature,
)
from localgov_fawry.wire import STATUS_PATH

from localgov.payments import (
    InvalidNotificationSignature,
    MalformedNotification,
    PaymentConfigurationError,
    PaymentMethod,
    PaymentStatus,
    ProviderError,
    Secret,
    UnknownPayment,
)
from localgov.testing.payments import make_order


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())


def test_a_pay_at_fawry_charge_sends_the_documented_fields(simulator: FawrySimulator, provider: FawryProvider) -> None:
    order = make_order(Decimal("450.00"))
    created = provider.create_payment(order)
    recorded = simulator.order(created.provider_ref)
    assert (recorded.merchant_ref, recorded.method, recorded.amount) == (
        order.merchant_ref,
        "PAYATFAWRY",
        Decimal("450.00"),
    )
    assert recorded.expires_ms == int(order.expires_at.timestamp() * 1000)  # type: ignore[union-attr]
    assert [i["itemId"] for i in recorded.items] == ["cairo_building_permit", "cairo_building_review"]
    assert created.reference_number == created.provider_ref


def test_card_and_wallet_charges_redirect_to_the_checkout(simulator: FawrySimulator, provider: FawryProvider) -> None:
    card = provider.create_payment(make_order(method=PaymentMethod.CARD))
    assert card.redirect_url == simulator.checkout_url(card.provider_ref) and card.reference_number is None
    urllib.request.urlopen(card.redirect_url).read()
    assert provider.query_status(card.merchant_ref).status is PaymentStatus.PAID
    wallet = provider.create_payment(make_order(method=PaymentMethod.WALLET))
    assert wallet.redirect_url is not None


def test_a_wrong_secure_key_is_refused_with_9946(simulator: FawrySimulator) -> None:
    forger = FawryProvider(FawrySettings(MERCHANT, Secret("not-the-key"), base_url=simulator.base_url))
    with pytest.raises(ProviderError) as refused:
        forger.create_payment(make_order())
    assert refused.value.code == "9946"
    assert "not-the-key" not in str(refused.value)


def test_a_wrong_merchant_code_is_refused_with_9901(simulator: FawrySimulator) -> None:
    stranger = FawryProvider(FawrySettings("someone-else", Secret(SECURE_KEY), base_url=simulator.base_url))
    with pytest.raises(ProviderError) as refused:
        stranger.query_status("anything")
    assert refused.value.code == "9901"


def test_an_unknown_payment_is_9938(provider: FawryProvider) -> None:
    with pytest.raises(UnknownPayment, match="9938"):
        provider.query_status("never-charged")


def test_a_blank_reference_is_9944(simulator: FawrySimulator) -> None:
    signature = status_signature(MERCHANT, "", Secret(SECURE_KEY))
    answer = get_json(
        f"{simulator.base_url}{STATUS_PATH}?merchantCode={MERCHANT}&merchantRefNumber=&signature={signature}"
    )
    assert answer["statusCode"] == 9944


@pytest.mark.parametrize("encoded", [False, True])
def test_the_status_query_accepts_the_merchant_code_raw_or_encoded(
    simulator: FawrySimulator, provider: FawryProvider, encoded: bool
) -> None:
    created = provider.create_payment(make_order())
    code = urllib.parse.quote(MERCHANT, safe="") if encoded else MERCHANT
    assert ("%2B" in code or "%3D" in code) is encoded
    signature = status_signature(MERCHANT, created.merchant_ref, Secret(SECURE_KEY))
    answer = get_json(
        f"{simulator.base_url}{STATUS_PATH}?merchantCode={code}&merchantRefNumber={created.merchant_ref}&signature={signature}"
    )
    assert (answer["statusCode"], answer["paymentStatus"]) == (200, "UNPAID")


def test_a_merchant_code_with_plus_signs_round_trips() -> None:
    with FawrySimulator("ab+cd==", SECURE_KEY) as simulator:
        provider = simulator.provider()
        created = provider.create_payment(make_order())
        assert provider.query_status(created.merchant_ref).status is PaymentStatus.PENDING


def test_a_duplicate_merchant_reference_is_refused(provider: FawryProvider) -> None:
    order = make_order()
    provider.create_payment(order)
    with pytest.raises(ProviderError):
        provider.create_payment(order)


def test_the_notification_carries_fees_and_real_world_method_casing(provider: FawryProvider) -> None:
    with FawrySimulator(MERCHANT, SECURE_KEY, fees=Decimal("5.00")) as simulator:
        provider = simulator.provider()
        created = provider.create_payment(make_order(Decimal("450.00")))
        sent = simulator.pay(created.provider_ref, notify=False)
        message = json.loads(sent.body)
        assert message["paymentMethod"] == "PayAtFawry" and message["paymentRefrenceNumber"]
        notification = provider.parse_notification(sent.body, sent.headers)
        assert (notification.amount, notification.paid_amount) == (Decimal("450.00"), Decimal("455.00"))
        assert notification.paid_at is not None and notification.paid_at.tzinfo is datetime.UTC


def test_amounts_in_notifications_are_exact_in_any_json_spelling(
    simulator: FawrySimulator, provider: FawryProvider
) -> None:
    created = provider.create_payment(make_order(Decimal("1000.10")))
    body = simulator.pay(created.provider_ref, notify=False).body
    # 1000.10 written as 1000.1 (what a float serialiser writes) still verifies: amounts are re-formatted.
    respelled = body.replace(b"1000.10", b"1000.1")
    assert respelled != body
    assert provider.parse_notification(respelled, {}).amount == Decimal("1000.10")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"messageSignature": "0" * 64}, InvalidNotificationSignature),
        ({"messageSignature": None}, InvalidNotificationSignature),
        ({"orderStatus": "REFUNDED"}, InvalidNotificationSignature),
        ({"merchantRefNumber": "someone-else"}, InvalidNotificationSignature),
        ({"paymentAmount": "12.345"}, MalformedNotification),
        ({"paymentAmount": True}, MalformedNotification),
        ({"fawryRefNumber": None}, MalformedNotification),
        ({"orderAmount": -1}, MalformedNotification),
    ],
)
def test_notification_refusals(
    simulator: FawrySimulator, provider: FawryProvider, change: dict[str, Any], error: type[Exception]
) -> None:
    created = provider.create_payment(make_order())
    message = json.loads(simulator.pay(created.provider_ref, notify=False).body)
    message.update(change)
    with pytest.raises(error):
        provider.parse_notification(json.dumps(message).encode(), {})


def test_the_simulator_refuses_what_fawry_would(simulator: FawrySimulator, provider: FawryProvider) -> None:
    created = provider.create_payment(make_order())
    simulator.expire(created.provider_ref)
    with pytest.raises(SimulatorError, match="EXPIRED"):
        simulator.pay(created.provider_ref)
    with pytest.raises(ProviderError) as refused:
        provider.cancel(created.provider_ref)
    assert refused.value.code == "9964"


def test_an_order_past_its_expiry_expires_by_itself(simulator: FawrySimulator, provider: FawryProvider) -> None:
    order = make_order()
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    from attrs import evolve

    created = provider.create_payment(evolve(order, expires_at=past))
    assert provider.query_status(created.merchant_ref).status is PaymentStatus.EXPIRED


def test_settings_come_from_the_environment_and_never_show_the_key() -> None:
    settings = FawrySettings.from_env(
        {"LOCALGOV_FAWRY_MERCHANT_CODE": MERCHANT, "LOCALGOV_FAWRY_SECURE_KEY": SECURE_KEY}
    )
    assert settings.url == "https://atfawry.fawrystaging.com"
    assert SECURE_KEY not in repr(settings) and SECURE_KEY not in repr(FawryProvider(settings))
    production = FawrySettings.from_env(
        {
            "LOCALGOV_FAWRY_MERCHANT_CODE": "m",
            "LOCALGOV_FAWRY_SECURE_KEY": "k",
            "LOCALGOV_FAWRY_ENVIRONMENT": "production",
        }
    )
    assert production.url == "https://www.atfawry.com"
    with pytest.raises(PaymentConfigurationError, match="LOCALGOV_FAWRY_SECURE_KEY"):
        FawrySettings.from_env({"LOCALGOV_FAWRY_MERCHANT_CODE": "m"})
    with pytest.raises(PaymentConfigurationError, match="environment"):
        FawrySettings(MERCHANT, Secret(SECURE_KEY), environment="moon")


def test_the_plugin_registers_the_provider() -> None:
    from localgov.app import Localgov

    providers = Localgov(plugins=["fawry"]).payment_providers
    assert isinstance(providers["fawry"], FawryProvider)


def test_the_provider_reads_its_settings_from_the_application() -> None:
    from localgov import Localgov

    app = Localgov(
        plugins=["fawry"],
        settings={"fawry": {"merchant_code": "APP+CODE=", "secure_key": "k", "environment": "production"}},
    )
    provider = app.payment_providers["fawry"]
    assert provider.settings.merchant_code == "APP+CODE="  # type: ignore[attr-defined]
    assert provider.settings.url == "https://www.atfawry.com"  # type: ignore[attr-defined]
