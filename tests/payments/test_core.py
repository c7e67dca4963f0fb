"""The payments core with a minimal provider: notification rules, secrets, money, ledger, web, CLI."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.cli.common import CliState
from localgov.cli.payments import COMMANDS
from localgov.i18n import LocalizedText
from localgov.payments import (
    CreatedPayment,
    InvalidNotificationSignature,
    MalformedNotification,
    Notification,
    Outcome,
    PaymentError,
    PaymentLedger,
    PaymentMethod,
    PaymentOrder,
    Payments,
    PaymentState,
    PaymentStatus,
    Refund,
    Secret,
    format_amount,
    handle_notification,
    migrate_payments,
    parse_amount,
    parse_json,
    secret_from_env,
)
from localgov.payments.web import notification_app, serve_notifications
from localgov.requests import Engine
from localgov.requests.model import Request

KEY = b"test-provider-key"


@attrs.define
class EchoProvider:
    """A provider whose notifications are JSON with an HMAC, and which pays whatever it is asked."""

    code: str = "echo"
    name: LocalizedText = attrs.field(factory=lambda: LocalizedText("تجربة", "Echo"))
    methods: frozenset[PaymentMethod] = frozenset({PaymentMethod.OUTLET})
    created: dict[str, CreatedPayment] = attrs.field(factory=dict)

    def create_payment(self, order: PaymentOrder) -> CreatedPayment:
        created = CreatedPayment(
            self.code,
            order.merchant_ref,
            "E-" + order.merchant_ref,
            order.method,
            order.amount,
            order.currency,
            reference_number="123",
        )
        self.created[order.merchant_ref] = created
        return created

    def query_status(self, merchant_ref: str) -> PaymentState:
        created = self.created[merchant_ref]
        return PaymentState(self.code, merchant_ref, created.provider_ref, PaymentStatus.PENDING, created.amount, "EGP")

    def refund(self, provider_ref: str, amount: Decimal, reason: str | None = None) -> Refund:
        return Refund(self.code, provider_ref, amount, reason)

    def cancel(self, provider_ref: str) -> None:
        return None

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            raise InvalidNotificationSignature("bad signature")
        message = parse_json(body)
        if not isinstance(message, dict):
            raise MalformedNotification("not an object")
        return Notification(
            self.code,
            str(message["ref"]),
            "E-" + str(message["ref"]),
            PaymentStatus(message["status"]),
            parse_amount(message["amount"], "amount"),
            parse_amount(message["amount"], "amount"),
            str(message["currency"]),
            "outlet",
            f"{message['ref']}:{message['status']}",
            hashlib.sha256(body).hexdigest(),
        )


def signed(**message: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(message).encode()
    return body, {"X-Signature": hmac.new(KEY, body, hashlib.sha256).hexdigest()}


@pytest.fixture
def echo(engine: Engine, ledger: PaymentLedger) -> Payments:
    return Payments(engine, [EchoProvider()], ledger=ledger)


def notify(echo: Payments, created: CreatedPayment, **changes: Any) -> str:
    message = {
        "ref": created.merchant_ref,
        "status": "paid",
        "amount": str(created.amount),
        "currency": "EGP",
        **changes,
    }
    _, body = echo.handle_notification("echo", *signed(**message))
    return str(json.loads(body)["outcome"])


def test_a_currency_mismatch_never_marks_the_request_paid(
    engine: Engine, awaiting_payment: Callable[[], Request], echo: Payments
) -> None:
    request = awaiting_payment()
    created = echo.start(request.id, "echo")
    assert notify(echo, created, currency="USD") == Outcome.CURRENCY_MISMATCH
    assert engine.get(request.id).payments == ()
    # The same event again, whatever it now claims, was handled already.
    assert notify(echo, created) == Outcome.DUPLICATE
    assert engine.get(request.id).payments == ()


def test_a_second_payment_for_a_paid_request_is_flagged_for_refund(
    engine: Engine, awaiting_payment: Callable[[], Request], echo: Payments
) -> None:
    request = awaiting_payment()
    first = echo.start(request.id, "echo")
    second = EchoProvider().create_payment(attrs.evolve(_order_like(first), merchant_ref=first.merchant_ref + "b"))
    echo.ledger.add_order(_order_like(second, request.id), second, _now())
    assert notify(echo, first) == Outcome.CREDITED
    assert notify(echo, second) == Outcome.NOTHING_DUE
    assert len(engine.get(request.id).payments) == 1


def _now() -> Any:
    import datetime

    return datetime.datetime.now(datetime.UTC)


def _order_like(created: CreatedPayment, request_id: str = "x") -> PaymentOrder:
    from localgov.payments import Customer

    return PaymentOrder(created.merchant_ref, request_id, created.amount, created.method, "d", (), Customer("n", "m"))


def test_non_payment_news_updates_the_order_only(
    engine: Engine, awaiting_payment: Callable[[], Request], echo: Payments
) -> None:
    request = awaiting_payment()
    created = echo.start(request.id, "echo")
    assert notify(echo, created, status="expired") == Outcome.STATUS
    assert echo.ledger.order(created.merchant_ref).status is PaymentStatus.EXPIRED  # type: ignore[union-attr]
    assert engine.get(request.id).state == "awaiting_payment"


def test_bad_bodies_are_refused_and_recorded(engine: Engine, ledger: PaymentLedger) -> None:
    provider = EchoProvider()
    assert handle_notification(engine, provider, b"x" * 70_000, {}, ledger=ledger)[0] == 400
    assert handle_notification(engine, provider, b"{}", {"X-Signature": "nope"}, ledger=ledger)[0] == 403
    assert (
        handle_notification(
            engine, provider, b"[1]", {"X-Signature": hmac.new(KEY, b"[1]", hashlib.sha256).hexdigest()}, ledger=ledger
        )[0]
        == 400
    )
    assert [n.outcome for n in ledger.notifications()][:2] == [Outcome.MALFORMED, Outcome.BAD_SIGNATURE]


def test_payment_cannot_start_before_assessment_or_on_nothing_due(engine: Engine, echo: Payments) -> None:
    from ..requests.support import submit_building_permit

    request = submit_building_permit(engine)
    with pytest.raises(PaymentError, match="no invoice"):
        echo.start(request.id, "echo")
    with pytest.raises(PaymentError, match="no payment provider 'nope'"):
        echo.start(request.id, "nope")


# ------------------------------------------------------------------ secrets and money


def test_secrets_do_not_show_and_do_not_pickle() -> None:
    secret = Secret("hunter2-key")
    assert "hunter2" not in repr(secret) + str(secret) + f"{secret}" + repr({"k": secret})
    assert secret == Secret("hunter2-key") and secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(PaymentError, match="LOCALGOV_X_KEY") as error:
        secret_from_env("LOCALGOV_X_KEY", {})
    assert "hunter2" not in str(error.value)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False))
def test_amounts_round_trip_exactly_through_messages(amount: Decimal) -> None:
    text = format_amount(amount)
    assert text.count(".") == 1 and len(text.split(".")[1]) == 2
    assert parse_amount(parse_json(f'{{"a": {text}}}'.encode())["a"], "a") == amount


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=30), st.floats(), st.booleans(), st.none(), st.integers(), st.decimals()))
def test_parse_amount_accepts_only_whole_piastres(value: object) -> None:
    try:
        amount = parse_amount(value, "amount")
    except PaymentError:
        return
    assert type(amount) is Decimal and amount >= 0 and amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_parse_json_raises_only_payment_errors(body: bytes) -> None:
    try:
        parse_json(body)
    except PaymentError:
        pass


# ------------------------------------------------------------------ ledger, web, CLI


def test_the_migration_is_idempotent(engine: Engine) -> None:
    database = engine.store.engine  # type: ignore[attr-defined]
    assert migrate_payments(database) == migrate_payments(database) == 1


def test_the_wsgi_app_routes_by_provider(engine: Engine, ledger: PaymentLedger) -> None:
    app = notification_app(engine, {"echo": EchoProvider()}, ledger=ledger)
    with serve_notifications(app) as base_url:
        for path, data, expected in (
            ("/payments/notify/other", b"{}", 404),
            ("/payments/notify/echo", None, 405),
            ("/payments/notify/echo", b"{}", 403),
        ):
            request = urllib.request.Request(base_url + path, data=data, method="POST" if data else "GET")
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request)
            assert answer.value.code == expected


def test_the_cli_prints_the_daily_report(
    engine: Engine, awaiting_payment: Callable[[], Request], echo: Payments, tmp_path: Any
) -> None:
    request = awaiting_payment()
    created = echo.start(request.id, "echo")
    notify(echo, created)
    url = str(engine.store.engine.url)  # type: ignore[attr-defined]
    group = COMMANDS[0]
    today = _now().astimezone(__import__("zoneinfo").ZoneInfo("Africa/Cairo")).date().isoformat()
    result = CliRunner().invoke(group, ["report", "--date", today, "--json"], obj=CliState(url, (), None))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["collected"] == str(created.amount) and data["providers"][0]["provider"] == "echo"
    text = CliRunner().invoke(group, ["report", "--date", today], obj=CliState(url, (), None))
    assert "daily payments report" in text.output and "echo" in text.output
