"""The REST aggregator adapter against its loopback simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localgov.notifications import (
    DeliveryRefused,
    Dispatcher,
    GatewayUnavailable,
    HttpGatewaySimulator,
    HttpSmsGateway,
    NotifierConfigurationError,
    OutboundMessage,
    Throttled,
)
from localgov.requests import Engine
from tests.notifications.support import issued_permit, outbox_of


@pytest.fixture
def gateway() -> Iterator[tuple[HttpGatewaySimulator, HttpSmsGateway]]:
    simulator = HttpGatewaySimulator().start()
    client = HttpSmsGateway(simulator.base_url, simulator.token, "LocalGov")
    simulator.on_receipt = client.receipt_from
    yield simulator, client
    simulator.stop()


def test_messages_go_once_each_and_their_receipts_come_back(
    engine: Engine, gateway: tuple[HttpGatewaySimulator, HttpSmsGateway]
) -> None:
    simulator, client = gateway
    issued_permit(engine)
    dispatcher = Dispatcher(outbox_of(engine), client)
    assert dispatcher.drain().sent == 5
    dispatcher.settle()
    assert outbox_of(engine).counts() == {"delivered": 5}
    again = OutboundMessage(simulator.messages[0].client_ref, "+201012345678", "x")
    assert client.send(again) == [simulator.messages[0].id]  # the reference seen before: the first id
    assert len(simulator.messages) == 5 and simulator.attempts == 6


def test_429_is_throttling_and_400_a_refusal(gateway: tuple[HttpGatewaySimulator, HttpSmsGateway]) -> None:
    simulator, client = gateway
    simulator.throttle_next(1)
    with pytest.raises(Throttled) as caught:
        client.send(OutboundMessage("m", "+201012345678", "x"))
    assert caught.value.retry_after == pytest.approx(0.05)
    with pytest.raises(DeliveryRefused):
        client.send(OutboundMessage("m", "01012345678", "x"))  # not E.164


def test_a_wrong_token_or_an_absent_gateway_keeps_the_message_for_later(
    gateway: tuple[HttpGatewaySimulator, HttpSmsGateway],
) -> None:
    simulator, _ = gateway
    with pytest.raises(NotifierConfigurationError, match="401"):
        HttpSmsGateway(simulator.base_url, "wrong", "LocalGov").send(OutboundMessage("m", "+201012345678", "x"))
    with pytest.raises(GatewayUnavailable, match="did not answer"):
        HttpSmsGateway("http://127.0.0.1:9/v1", "t", "LocalGov").send(OutboundMessage("m", "+201012345678", "x"))


def test_settings_are_checked() -> None:
    with pytest.raises(NotifierConfigurationError, match="token, sender"):
        HttpSmsGateway.from_settings({"base_url": "https://sms.example/v1"})
    with pytest.raises(NotifierConfigurationError, match="http"):
        HttpSmsGateway("ftp://x", "t", "s")
    with pytest.raises(DeliveryRefused, match="JSON"):
        HttpSmsGateway("https://x", "t", "s").receipt_from(b"not json")
