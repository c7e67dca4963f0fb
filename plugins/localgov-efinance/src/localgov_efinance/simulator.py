"""An e-finance simulator on loopback, speaking :class:`~localgov_efinance.wire.ProvisionalWireFormat`.

>>> with EFinanceSimulator("BILLER-C-001", "shared-secret") as efinance:
...     efinance.notification_url = "http://127.0.0.1:8000/payments/notify/efinance"
...     provider = efinance.provider()
...     created = provider.create_payment(order)           # a bill reference
...     efinance.pay(created.provider_ref, channel="POST_OFFICE")   # paid at a post office: notified

Requests with a bad signature are answered 401, unknown bills 404, refusals 409, bad bodies 400.
"""

from __future__ import annotations

import datetime
import itertools
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any, Self

import attrs

from localgov.errors import LocalgovError
from localgov.payments import (
    PaymentError,
    Secret,
    dump_json,
    format_amount,
    parse_amount,
    parse_json,
    signatures_match,
)
from localgov.simulators import LoopbackServer, SimulatedNotification, deliver_notification
from localgov_efinance.provider import EFinanceProvider, EFinanceSettings
from localgov_efinance.wire import CHANNELS, sign_notification, sign_request

__all__ = ["EFinanceSimulator", "SimulatedBill", "SimulatedNotification", "SimulatorError"]

PAY_PATH = "/sim/pay/"


class SimulatorError(LocalgovError):
    """The simulator was asked to do something e-finance would not."""


@attrs.define
class SimulatedBill:
    reference: str
    merchant_ref: str
    amount: Decimal
    status: str
    expires_at: datetime.datetime | None
    channel: str = ""
    paid_at: datetime.datetime | None = None
    refunded: Decimal = Decimal("0.00")


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EFinanceSimulator:
    """e-finance on ``http://127.0.0.1:<port>``, as a context manager."""

    def __init__(
        self,
        biller_id: str,
        secret: str | Secret,
        *,
        notification_url: str | None = None,
        on_notification: Callable[[bytes, Mapping[str, str]], tuple[int, bytes]] | None = None,
        clock: Callable[[], datetime.datetime] = _utcnow,
    ) -> None:
        self.biller_id = biller_id
        self._secret = secret if isinstance(secret, Secret) else Secret(secret)
        self.notification_url = notification_url
        self.on_notification = on_notification
        self._clock = clock
        self._bills: dict[str, SimulatedBill] = {}
        self._by_merchant_ref: dict[str, str] = {}
        self._last: dict[str, tuple[bytes, dict[str, str]]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.RLock()
        self._server = LoopbackServer(type("Handler", (_Handler,), {"simulator": self}), "efinance-simulator")

    def __repr__(self) -> str:
        return f"EFinanceSimulator(biller_id={self.biller_id!r})"

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        if not self._server.running:
            raise SimulatorError("the e-finance simulator is not running: use it in a with block")
        return f"http://127.0.0.1:{self._server.port}"

    def provider(self) -> EFinanceProvider:
        return EFinanceProvider(EFinanceSettings(self.biller_id, self._secret, self.base_url))

    def bill(self, reference: str) -> SimulatedBill:
        with self._lock:
            return attrs.evolve(self._live(reference))

    # ------------------------------------------------------------------ acting as the world

    def pay(self, reference: str, *, channel: str = "POST_OFFICE", notify: bool = True) -> SimulatedNotification:
        """Pay the bill at a post office, a government POS terminal or with a Meeza card."""
        if channel not in CHANNELS:
            raise SimulatorError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
        with self._lock:
            bill = self._live(reference)
            if bill.status != "UNPAID":
                raise SimulatorError(f"bill {reference} is {bill.status}: it cannot be paid")
            bill.status, bill.channel, bill.paid_at = "PAID", channel, self._clock()
        return self._notify(bill, notify)

    def expire(self, reference: str, *, notify: bool = False) -> SimulatedNotification | None:
        with self._lock:
            bill = self._live(reference)
            if bill.status != "UNPAID":
                raise SimulatorError(f"bill {reference} is {bill.status}: only an unpaid one expires")
            bill.status = "EXPIRED"
        return self._notify(bill, notify) if notify else None

    def resend(self, reference: str) -> SimulatedNotification:
        with self._lock:
            body, headers = self._last[reference]
        return self._deliver(body, headers)

    def _live(self, reference: str) -> SimulatedBill:
        bill = self._bills.get(reference)
        if bill is None:
            raise SimulatorError(f"no bill {reference!r}")
        if bill.status == "UNPAID" and bill.expires_at is not None and bill.expires_at < self._clock():
            bill.status = "EXPIRED"
        return bill

    def _notify(self, bill: SimulatedBill, send: bool) -> SimulatedNotification:
        body = dump_json(
            {
                "event": f"bill.{bill.status.lower()}",
                "billReference": bill.reference,
                "merchantReference": bill.merchant_ref,
                "amount": Decimal(format_amount(bill.amount)),
                "paidAmount": Decimal(format_amount(bill.amount)),
                "currency": "EGP",
                "status": bill.status,
                "channel": bill.channel,
                "paidAt": _stamp(bill.paid_at) if bill.paid_at else None,
            }
        )
        timestamp = _stamp(self._clock())
        headers = {
            "Content-Type": "application/json",
            "X-EF-Timestamp": timestamp,
            "X-EF-Signature": sign_notification(self._secret, timestamp, body),
        }
        with self._lock:
            self._last[bill.reference] = (body, headers)
        return self._deliver(body, headers) if send else SimulatedNotification(body, headers)

    def _deliver(self, body: bytes, headers: dict[str, str]) -> SimulatedNotification:
        return deliver_notification(body, headers, url=self.notification_url, callback=self.on_notification)

    # ------------------------------------------------------------------ endpoints

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            self._authenticate(method, path, headers, body)
            parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
            if parts[:3] != ["api", "v1", "bills"]:
                raise _Refusal(404, "NOT_FOUND", "no such endpoint")
            message = parse_json(body, "request") if body else {}
            if not isinstance(message, dict):
                raise _Refusal(400, "INVALID", "expected a JSON object")
            if method == "POST" and len(parts) == 3:
                return 200, self._issue(message)
            if method == "GET" and len(parts) == 4:
                return 200, self._inquire(parts[3])
            if method == "POST" and len(parts) == 5 and parts[4] == "refunds":
                return 200, self._refund(parts[3], message)
            if method == "POST" and len(parts) == 5 and parts[4] == "cancel":
                return 200, self._cancel(parts[3])
            raise _Refusal(404, "NOT_FOUND", "no such endpoint")
        except _Refusal as refusal:
            return refusal.status, {"error": {"code": refusal.code, "message": refusal.message}}
        except PaymentError as error:
            return 400, {"error": {"code": "INVALID", "message": str(error)}}

    def _authenticate(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> None:
        # Header names arrive in whatever case the client chose: look them up lower-cased.
        if headers.get("x-ef-biller") != self.biller_id:
            raise _Refusal(401, "BILLER", "unknown biller")
        expected = sign_request(self._secret, method, path, headers.get("x-ef-timestamp", ""), body)
        if not signatures_match(expected, headers.get("x-ef-signature")):
            raise _Refusal(401, "SIGNATURE", "signature does not verify")

    def _state(self, bill: SimulatedBill) -> dict[str, Any]:
        return {
            "billReference": bill.reference,
            "merchantReference": bill.merchant_ref,
            "amount": Decimal(format_amount(bill.amount)),
            "currency": "EGP",
            "status": bill.status,
            "paidAmount": Decimal(format_amount(bill.amount)) if bill.paid_at else None,
            "paidAt": _stamp(bill.paid_at) if bill.paid_at else None,
            "channel": bill.channel or None,
            "refundedAmount": Decimal(format_amount(bill.refunded)),
            "expiresAt": _stamp(bill.expires_at) if bill.expires_at else None,
            "payUrl": f"{self.base_url}{PAY_PATH}{bill.reference}",
        }

    def _issue(self, message: dict[str, Any]) -> dict[str, Any]:
        merchant_ref = message.get("merchantReference")
        if not isinstance(merchant_ref, str) or not merchant_ref:
            raise _Refusal(400, "INVALID", "merchantReference is required")
        amount = parse_amount(message.get("amount"), "amount")
        expires = message.get("expiresAt")
        with self._lock:
            if merchant_ref in self._by_merchant_ref:
                raise _Refusal(409, "DUPLICATE", "merchantReference already has a bill")
            reference = f"EF{next(self._numbers):010d}"
            bill = SimulatedBill(
                reference,
                merchant_ref,
                amount,
                "UNPAID",
                datetime.datetime.fromisoformat(expires) if isinstance(expires, str) else None,
            )
            self._bills[reference] = bill
            self._by_merchant_ref[merchant_ref] = reference
            return self._state(bill)

    def _inquire(self, merchant_ref: str) -> dict[str, Any]:
        with self._lock:
            reference = self._by_merchant_ref.get(merchant_ref)
            if reference is None:
                raise _Refusal(404, "NOT_FOUND", "no such bill")
            return self._state(self._live(reference))

    def _refund(self, reference: str, message: dict[str, Any]) -> dict[str, Any]:
        amount = parse_amount(message.get("amount"), "amount")
        with self._lock:
            if reference not in self._bills:
                raise _Refusal(404, "NOT_FOUND", "no such bill")
            bill = self._bills[reference]
            if bill.status not in ("PAID", "PARTIALLY_REFUNDED"):
                raise _Refusal(409, "NOT_PAID", "only a paid bill can be refunded")
            if amount <= 0 or bill.refunded + amount > bill.amount:
                raise _Refusal(409, "TOO_MUCH", "refund exceeds what remains paid")
            bill.refunded += amount
            bill.status = "REFUNDED" if bill.refunded == bill.amount else "PARTIALLY_REFUNDED"
            return {"refundReference": f"R{reference}-{bill.refunded}"}

    def _cancel(self, reference: str) -> dict[str, Any]:
        with self._lock:
            if reference not in self._bills:
                raise _Refusal(404, "NOT_FOUND", "no such bill")
            bill = self._live(reference)
            if bill.status != "UNPAID":
                raise _Refusal(409, "NOT_UNPAID", "only an unpaid bill can be cancelled")
            bill.status = "CANCELLED"
            return {"status": "CANCELLED"}


class _Handler(BaseHTTPRequestHandler):
    simulator: EFinanceSimulator

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, method: str) -> None:
        path = self.path.partition("?")[0]
        body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1_000_000))
        answer: dict[str, Any]
        if method == "GET" and path.startswith(PAY_PATH):
            try:
                self.simulator.pay(path[len(PAY_PATH) :], channel="MEEZA_CARD")
                status, answer = 200, {"status": "PAID"}
            except SimulatorError as error:
                status, answer = 409, {"error": {"code": "REFUSED", "message": str(error)}}
        else:
            status, answer = self.simulator.handle(method, path, {k.lower(): v for k, v in self.headers.items()}, body)
        payload = dump_json(answer)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")
