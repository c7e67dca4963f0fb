"""The dispatcher: retries with backoff, dead letters, throttling, receipts, opt-out, many dispatchers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from localgov.notifications import (
    DeliveryReceipt,
    DeliveryRefused,
    Dispatcher,
    FileNotifier,
    GatewayUnavailable,
    OutboundMessage,
    ReceiptHandler,
    RetryPolicy,
    Throttled,
)
from localgov.requests import Engine
from tests.notifications.support import issued_permit, outbox_of
from tests.requests.support import cairo_time, submit_building_permit


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Scripted:
    """A notifier that fails as told, then accepts; it sends receipts when asked."""

    code = "scripted"

    def __init__(self, failures: Sequence[Exception] = ()) -> None:
        self.failures = list(failures)
        self.accepted: list[OutboundMessage] = []
        self.handlers: list[ReceiptHandler] = []

    def send(self, message: OutboundMessage) -> list[str]:
        if self.failures:
            raise self.failures.pop(0)
        self.accepted.append(message)
        return [f"p-{len(self.accepted)}-a", f"p-{len(self.accepted)}-b"]

    def on_receipt(self, handler: ReceiptHandler) -> None:
        self.handlers.append(handler)

    def receipt(self, provider_id: str, delivered: bool = True) -> None:
        for handler in self.handlers:
            handler(DeliveryReceipt(self.code, provider_id, delivered, "DELIVRD" if delivered else "UNDELIV"))


def test_every_message_is_sent_once_and_receipts_mark_it_delivered(engine: Engine) -> None:
    request = issued_permit(engine)
    notifier = Scripted()
    dispatcher = Dispatcher(outbox_of(engine), notifier)
    assert dispatcher.drain().sent == 5
    assert dispatcher.drain().claimed == 0
    assert [m.message_id for m in notifier.accepted] == [n.message_id for n in outbox_of(engine).notices()]
    notifier.receipt("p-1-a")
    dispatcher.settle()
    assert outbox_of(engine).notices(request_id=request.id)[0].state == "sent"  # one part of two
    notifier.receipt("p-1-b")
    notifier.receipt("p-2-a", delivered=False)
    dispatcher.settle()
    states = [n.state for n in outbox_of(engine).notices(request_id=request.id)]
    assert states == ["delivered", "undelivered", "sent", "sent", "sent"]


def test_a_failing_gateway_is_retried_with_growing_delays_then_dead_lettered(engine: Engine) -> None:
    submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    clock = Clock()
    notifier = Scripted([GatewayUnavailable("down")] * 3)
    dispatcher = Dispatcher(
        outbox_of(engine), notifier, retry=RetryPolicy(max_attempts=3, first_delay=10, max_delay=1000), clock=clock
    )
    delays = []
    for _ in range(3):
        assert dispatcher.run_once().claimed == 1
        (notice,) = outbox_of(engine).notices()
        if notice.state == "dead":
            break
        delays.append(notice.next_attempt_at - clock.now)
        assert dispatcher.run_once().claimed == 0  # not due before its backoff
        clock.now = notice.next_attempt_at
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20
    (notice,) = outbox_of(engine).notices()
    assert notice.state == "dead" and "gave up after 3 attempts: down" in (notice.last_error or "")
    assert notifier.accepted == []


def test_a_refused_message_is_dead_at_once_and_the_batch_goes_on(engine: Engine) -> None:
    issued_permit(engine)
    notifier = Scripted([DeliveryRefused("barred number")])
    assert Dispatcher(outbox_of(engine), notifier).drain().dead == 1
    assert outbox_of(engine).counts() == {"dead": 1, "sent": 4}


def test_throttling_holds_the_rest_of_the_batch_without_counting_attempts(engine: Engine) -> None:
    issued_permit(engine)
    clock = Clock()
    notifier = Scripted([Throttled("slow down", retry_after=30)])
    dispatcher = Dispatcher(outbox_of(engine), notifier, clock=clock)
    done = dispatcher.run_once()
    assert (done.sent, done.retried) == (0, 5)
    assert {(n.state, n.attempts, n.next_attempt_at) for n in outbox_of(engine).notices()} == {
        ("pending", 0, clock.now + 30)
    }
    clock.now += 30
    assert dispatcher.drain().sent == 5


def test_an_opted_out_applicant_gets_only_the_messages_that_must_be_sent(engine: Engine) -> None:
    issued_permit(engine)
    outbox = outbox_of(engine)
    outbox.opt_out("+201012345678", "2026-12-01T00:00:00+00:00")
    notifier = Scripted()
    assert Dispatcher(outbox, notifier).drain().suppressed == 4
    assert [m.message_id.rsplit("/", 1)[1] for m in notifier.accepted] == ["fees_assessed"]
    outbox.opt_in("+201012345678")
    assert not outbox.opted_out("+201012345678")


def test_a_notifier_error_of_any_kind_loses_nothing(engine: Engine) -> None:
    submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    clock = Clock()
    dispatcher = Dispatcher(outbox_of(engine), Scripted([KeyError("bug")]), clock=clock)
    dispatcher.run_once()
    (notice,) = outbox_of(engine).notices()
    assert notice.state == "pending" and "KeyError" in (notice.last_error or "")


def test_a_dispatcher_that_died_mid_send_has_its_messages_sent_by_the_next_after_the_lease(engine: Engine) -> None:
    issued_permit(engine)
    clock = Clock()
    outbox = outbox_of(engine)
    assert len(outbox.claim(clock.now, 10, lease_seconds=60)) == 5  # claimed, then the process died
    notifier = Scripted()
    survivor = Dispatcher(outbox, notifier, clock=clock)
    assert survivor.run_once().claimed == 0  # still leased
    clock.now += 61
    assert survivor.drain().sent == 5 and {n.attempts for n in outbox.notices()} == {2}


def test_receipts_that_arrive_before_the_mark_are_applied_after_it(engine: Engine) -> None:
    issued_permit(engine)

    class Fast(Scripted):
        def send(self, message: OutboundMessage) -> list[str]:
            ids = super().send(message)
            for provider_id in ids:
                self.receipt(provider_id)  # before the dispatcher has marked the message sent
            return ids

    dispatcher = Dispatcher(outbox_of(engine), Fast())
    dispatcher.drain()
    dispatcher.settle()
    assert outbox_of(engine).counts() == {"delivered": 5}


@pytest.mark.postgresql
def test_several_dispatchers_on_postgresql_share_the_outbox_without_sending_twice(
    make_engine: Callable[..., Engine], store_url: str
) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite serialises claims")
    engine = make_engine()
    for day in range(20):
        submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    notifiers = [Scripted() for _ in range(4)]
    dispatchers = [Dispatcher(outbox_of(make_engine()), n, batch=3) for n in notifiers]
    threads = [threading.Thread(target=d.drain) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = [m.message_id for n in notifiers for m in n.accepted]
    assert len(sent) == len(set(sent)) == 20
    assert sum(1 for n in notifiers if n.accepted) >= 2


def test_the_file_notifier_writes_each_message_once(tmp_path: Path, engine: Engine) -> None:
    issued_permit(engine)
    path = tmp_path / "sms" / "outbox.jsonl"
    notifier = FileNotifier(path)
    Dispatcher(outbox_of(engine), notifier).drain()
    message = OutboundMessage("again", "+201012345678", "x")
    assert notifier.send(message) == FileNotifier(path).send(message)
    lines = FileNotifier(path).messages()
    assert len(lines) == 6 and lines[0]["to"] == "+201012345678"


def test_a_wrong_account_holds_the_batch_uncounted_and_is_told(engine: Engine) -> None:
    from localgov.notifications import NotifierConfigurationError

    issued_permit(engine)
    clock = Clock()
    dispatcher = Dispatcher(outbox_of(engine), Scripted([NotifierConfigurationError("bind refused")]), clock=clock)
    with pytest.raises(NotifierConfigurationError):
        dispatcher.run_once()
    assert {(n.state, n.attempts) for n in outbox_of(engine).notices()} == {("pending", 0)}
    assert dispatcher.run_once().claimed == 0  # not before a person has had time to fix it


def test_a_receipt_for_no_known_part_waits_without_a_busy_writer(engine: Engine) -> None:
    import time

    issued_permit(engine)
    notifier = Scripted()
    dispatcher = Dispatcher(outbox_of(engine), notifier)
    notifier.receipt("from-another-system")
    deadline = time.monotonic() + 5
    while dispatcher._writer is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dispatcher._writer is None  # one pass, then the writer stops
    dispatcher.drain()
    notifier.receipt("p-1-a")
    notifier.receipt("p-1-b")
    deadline = time.monotonic() + 5
    while outbox_of(engine).notices()[0].state != "delivered" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert outbox_of(engine).notices()[0].state == "delivered"  # written by the writer, no round
