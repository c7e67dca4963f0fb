"""The SMPP notifier against the loopback SMSC: real PDUs over TCP."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from localgov_smpp import SmppNotifier, SmppSettings, SmscSimulator
from smpp_outbox import CITIZEN, outbox_with

from localgov.notifications import (
    DeliveryRefused,
    Dispatcher,
    NotifierConfigurationError,
    OutboundMessage,
    Throttled,
)

ARABIC_200 = ("طلبك رقم ١٢٣ جاهز للاستلام من مركز الزيتون التكنولوجي " * 5)[:200]


def wait_for(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_an_arabic_message_of_200_characters_arrives_as_three_ucs2_parts(
    smsc: SmscSimulator, notifier: SmppNotifier
) -> None:
    ids = notifier.send(OutboundMessage("m-1", CITIZEN, ARABIC_200))
    assert len(ids) == len(set(ids)) == 3
    (received,) = smsc.messages
    assert (received.parts, received.data_coding, received.text) == (3, 8, ARABIC_200)
    assert received.recipient == "201012345678" and received.sender == "LocalGov"


def test_latin_text_goes_in_gsm_7bit_and_the_sender_id_comes_from_the_settings(smsc: SmscSimulator) -> None:
    sms = SmppNotifier(SmppSettings.from_mapping(smsc.settings(sender="Zeitoun")))
    try:
        sms.send(OutboundMessage("m-2", CITIZEN, "Request CZTN-2600001-3: issued. {Collect} it €5"))
    finally:
        sms.close()
    (received,) = smsc.messages
    assert (received.data_coding, received.sender, received.parts) == (0, "Zeitoun", 1)
    assert received.text == "Request CZTN-2600001-3: issued. {Collect} it €5"


def test_delivery_receipts_update_the_notification(tmp_path: Path, smsc: SmscSimulator, notifier: SmppNotifier) -> None:
    outbox = outbox_with(tmp_path / "o.db", [ARABIC_200, "short"])
    assert Dispatcher(outbox, notifier).drain().sent == 2
    wait_for(lambda: outbox.counts() == {"delivered": 2})
    assert outbox.counts() == {"delivered": 2}


def test_receipts_reach_their_handler_in_order_off_the_reader_thread(
    smsc: SmscSimulator, notifier: SmppNotifier
) -> None:
    """Each receipt once, in the order the SMSC sent it, handled by the sender between submits
    or by the pump when nothing is sent, never on the thread that reads the socket."""
    taken: list[tuple[str, str]] = []
    notifier.on_receipt(lambda receipt: taken.append((receipt.provider_id, threading.current_thread().name)))
    ids = [part for index in range(20) for part in notifier.send(OutboundMessage(f"m-{index}", CITIZEN, "hello"))]
    wait_for(lambda: len(taken) == len(ids))  # the last ones come after the last submit: the pump's
    assert [provider_id for provider_id, _ in taken] == ids
    assert "smpp-reader" not in {thread for _, thread in taken}


def test_a_connection_dropped_mid_batch_loses_and_duplicates_nothing(
    tmp_path: Path, smsc: SmscSimulator, notifier: SmppNotifier
) -> None:
    texts = [f"رسالة رقم {i} " * (1 + i % 3 * 6) for i in range(30)]  # one, two and three parts
    outbox = outbox_with(tmp_path / "o.db", texts)
    smsc.drop_after(5)  # the 5th part is accepted, and its answer lost with the connection
    Dispatcher(outbox, notifier, batch=10).drain()
    assert notifier.reconnections == 1 and smsc.binds == 2
    assert sorted(m.text for m in smsc.messages) == sorted(texts)
    assert len(smsc.messages) == 30
    wait_for(lambda: outbox.counts() == {"delivered": 30})
    assert outbox.counts() == {"delivered": 30}


def test_throttling_is_honoured_by_slowing_down_then_by_the_dispatcher(
    tmp_path: Path, smsc: SmscSimulator, notifier: SmppNotifier
) -> None:
    smsc.throttle_next(2)
    notifier.send(OutboundMessage("m-3", CITIZEN, "hello"))
    assert smsc.submits == 3 and len(smsc.messages) == 1  # two refusals, then accepted
    smsc.throttle_next(100)
    with pytest.raises(Throttled):
        notifier.send(OutboundMessage("m-4", CITIZEN, "hello again"))
    outbox = outbox_with(tmp_path / "o.db", ["one", "two"])
    done = Dispatcher(outbox, notifier).run_once()
    assert (done.sent, done.retried) == (0, 2)
    assert {n.attempts for n in outbox.notices()} == {0}


def test_an_invalid_destination_is_refused_for_good(smsc: SmscSimulator, notifier: SmppNotifier) -> None:
    with pytest.raises(DeliveryRefused):
        notifier.send(OutboundMessage("m-5", CITIZEN, "x" * 256 * 153))  # more than 255 parts


def test_a_wrong_password_is_a_configuration_error_naming_the_account(smsc: SmscSimulator) -> None:
    settings = {**smsc.settings(), "password": "wrong"}
    with pytest.raises(NotifierConfigurationError, match="'localgov' refused: ESME_RBINDFAIL"):
        SmppNotifier.from_settings(settings).connect()


def test_bad_settings_are_all_named() -> None:
    with pytest.raises(NotifierConfigurationError) as caught:
        SmppSettings.from_mapping({"host": "x", "port": "twenty", "system_id": "a" * 20, "colour": "red"})
    message = str(caught.value)
    for part in ("unknown setting 'colour'", "port must be a number", "password is not set", "sender is not set"):
        assert part in message


def test_the_link_is_kept_alive_with_enquire_link(smsc: SmscSimulator) -> None:
    settings = SmppSettings.from_mapping({**smsc.settings(), "enquire_interval": "0.2"})
    sms = SmppNotifier(settings)
    try:
        sms.connect()
        time.sleep(1.5)
        sms.send(OutboundMessage("m-6", CITIZEN, "still there"))
    finally:
        sms.close()
    assert smsc.binds == 1 and len(smsc.messages) == 1


def test_a_dead_smsc_makes_the_gateway_unavailable(notifier: SmppNotifier, smsc: SmscSimulator) -> None:
    from localgov.notifications import GatewayUnavailable

    smsc.stop()
    with pytest.raises(GatewayUnavailable):
        notifier.send(OutboundMessage("m-7", CITIZEN, "nobody home"))


def test_the_plugin_registers_from_settings_or_the_environment(
    smsc: SmscSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from localgov import Localgov

    assert "smpp" not in Localgov(plugins=["smpp"]).notifiers
    for key, value in smsc.settings(sender="Heliopolis").items():
        monkeypatch.setenv(f"LOCALGOV_SMPP_{key.upper()}", value)
    from_environment = Localgov(plugins=["smpp"]).notifiers["smpp"]
    assert isinstance(from_environment, SmppNotifier) and from_environment.settings.sender == "Heliopolis"
    given = Localgov(plugins=["smpp"], settings={"smpp": smsc.settings(sender="Maadi")}).notifiers["smpp"]
    assert isinstance(given, SmppNotifier) and given.settings.sender == "Maadi"
    monkeypatch.setenv("LOCALGOV_SMPP_PORT", "not-a-port")
    with pytest.raises(NotifierConfigurationError, match="port must be a number"):
        _ = Localgov(plugins=["smpp"]).notifiers
