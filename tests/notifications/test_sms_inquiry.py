"""A citizen texts the short code: the right code gets the status, a wrong one nothing, a flood
of guesses no reply at all; STOP opts out. Over SMPP, through the loopback SMSC."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from localgov.notifications import InboundHandler
from localgov.requests import Engine
from tests.notifications.support import outbox_of
from tests.requests.support import cairo_time, submit_building_permit

smpp = pytest.importorskip("localgov_smpp")

CITIZEN = "+201012345678"


@pytest.fixture
def smsc() -> Iterator[object]:
    simulator = smpp.SmscSimulator().start()
    yield simulator
    simulator.stop()


def replies(smsc: object, count: int, timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(smsc.replies_to(CITIZEN)) < count and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    return smsc.replies_to(CITIZEN)  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def texting(engine: Engine, smsc: object) -> Iterator[Callable[[str], None]]:
    notifier = smpp.SmppNotifier.from_settings(smsc.settings())  # type: ignore[attr-defined]
    notifier.on_inbound(InboundHandler(engine, outbox_of(engine), limit=3).answer)
    notifier.connect()
    yield lambda text: smsc.mobile_originated(CITIZEN, "1550", text)  # type: ignore[attr-defined]
    notifier.close()


def test_the_right_code_gets_the_status_and_a_wrong_one_no_information(
    engine: Engine, smsc: object, texting: Callable[[str], None]
) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    texting(f"{request.id} {request.access_code}")
    (answer,) = replies(smsc, 1)
    assert "مراجعة المستندات" in answer  # the state the request is in
    texting(f"{request.id} {'X' * 10}")
    wrong = replies(smsc, 2)[1]
    assert "مراجعة" not in wrong and "لم نجد" in wrong


def test_a_flood_of_guesses_is_cut_off(engine: Engine, smsc: object, texting: Callable[[str], None]) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    for guess in range(6):
        texting(f"{request.id} {guess:010d}")
    time.sleep(0.5)
    texting(f"{request.id} {request.access_code}")  # even the right code, once the limit is reached
    time.sleep(0.5)
    assert len(replies(smsc, 3)) == 3


def test_stop_opts_out_and_start_opts_back_in(engine: Engine, smsc: object, texting: Callable[[str], None]) -> None:
    texting("STOP")
    replies(smsc, 1)
    assert outbox_of(engine).opted_out(CITIZEN)
    texting("تفعيل")
    replies(smsc, 2)
    assert not outbox_of(engine).opted_out(CITIZEN)


def test_an_inquiry_in_two_parts_is_answered_once(engine: Engine, smsc: object, texting: Callable[[str], None]) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    texting(f"{request.id} {request.access_code}" + " " * 150)  # over 160 characters: two parts
    time.sleep(0.5)
    (answer,) = replies(smsc, 1)
    assert "مراجعة المستندات" in answer
