"""A FawryPay simulator on loopback: the same endpoints, signatures and error codes as FawryPay.

>>> with FawrySimulator("MERCHANT+CODE=", "secure-key") as fawry:
...     fawry.notification_url = "http://127.0.0.1:8000/payments/notify/fawry"
...     provider = fawry.provider()                 # a FawryProvider pointed at the simulator
...     created = provider.create_payment(order)    # a Pay-at-Fawry reference number
...     fawry.pay(created.reference_number)         # paid at an outlet: a V2 notification is POSTed

It checks every signature exactly as FawryPay does and answers with FawryPay's codes: 9901 (bad
merchant code), 9944 (blank reference), 9946 (bad signature), 9938 (payment not found). Refusals
FawryPay's public documentation gives no code for (a duplicate merchant reference, refunding more
than was paid, cancelling a paid order...) use the simulator's own codes in :data:`SIMULATOR_CODES`.
Card and wallet charges answer with ``nextAction.redirectUrl`` pointing at the simulator's own
checkout page (``/sim/checkout/<reference>``), which pays the order when opened.

One module past 400 lines on purpose: it is the other side of one protocol, endpoint by
endpoint, and reads best beside FawryPay's own documentation in the same order.
"""

from __future__ import annotations

import datetime
import hmac
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
from localgov_fawry.provider import FawryProvider
from localgov_fawry.settings import FawrySettings
from localgov_fawry.signatures import (
    cancel_signature,
    charge_signature,
    notification_signature,
    refund_signature,
    status_signature,
)
from localgov_fawry.wire import CANCEL_PATH, CHARGE_PATH, REFUND_PATH, STATUS_PATH

__all__ = ["SIMULATOR_CODES", "FawrySimulator", "SimulatedNotification", "SimulatedOrder", "SimulatorError"]

CHECKOUT_PATH = "/sim/checkout/"
SIMULATOR_CODES = {
    "9960": "duplicate merchant reference number",
    "9961": "unsupported payment method",
    "9962": "the order is not paid: nothing to refund",
    "9963": "refund amount exceeds what remains paid",
    "9964": "only an unpaid order can be cancelled",
    "9965": "invalid request body",
    "9966": "invalid lang (ar-eg or en-gb)",
}
NOTIFIED_METHODS = {"PAYATFAWRY": "PayAtFawry", "CARD": "CARD", "MWALLET": "MWALLET"}


class SimulatorError(LocalgovError):
    """The simulator was asked to do something FawryPay would not (pay an expired reference, say)."""


@attrs.define
class SimulatedOrder:
    reference: str
    merchant_ref: str
    method: str
    amount: Decimal
    fees: Decimal
    status: str  # FawryPay's word: UNPAID, PAID, EXPIRED, CANCELLED, REFUNDED, PARTIAL_REFUNDED
    expires_ms: int | None
    customer_name: str
    customer_mobile: str
    customer_email: str
    items: list[dict[str, Any]]
    refunded: Decimal = Decimal("0.00")
    outlet_ref: str = ""
    paid_ms: int | None = None


def _ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class _Refusal(Exception):
    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


class FawrySimulator:
    """FawryPay on ``http://127.0.0.1:<port>``; use as a context manager (or :meth:`start`/:meth:`stop`).

    :param merchant_code: the merchant code it accepts.
    :param secure_key: the key it checks and signs with.
    :param fees: Fawry's fee added to what the citizen pays (``paymentAmount = orderAmount + fees``).
    :param notification_url: where V2 notifications are POSTed (settable later).
    :param on_notification: instead of HTTP, hand each notification to this function
        ``(body, headers) -> (status, body)`` (e.g. ``localgov.payments.handle_notification`` bound to an engine).
    """

    def __init__(
        self,
        merchant_code: str,
        secure_key: str | Secret,
        *,
        fees: Decimal = Decimal("0.00"),
        notification_url: str | None = None,
        on_notification: Callable[[bytes, Mapping[str, str]], tuple[int, bytes]] | None = None,
        clock: Callable[[], datetime.datetime] = _utcnow,
    ) -> None:
        self.merchant_code = merchant_code
        self._key = secure_key if isinstance(secure_key, Secret) else Secret(secure_key)
        self.fees = fees
        self.notification_url = notification_url
        self.on_notification = on_notification
        self._clock = clock
        self._orders: dict[str, SimulatedOrder] = {}
        self._by_merchant_ref: dict[str, str] = {}
        self._last: dict[str, bytes] = {}
        self._references = itertools.count(900_000_001)
        self._receipts = itertools.count(7_000_001)
        self._lock = threading.RLock()
        self._server = LoopbackServer(type("Handler", (_Handler,), {"simulator": self}), "fawry-simulator")

    def __repr__(self) -> str:
        return f"FawrySimulator(merchant_code={self.merchant_code!r}, base_url={self.base_url if self._server.running else None!r})"

    # ------------------------------------------------------------------ running

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if not self._server.running:
            raise SimulatorError("the Fawry simulator is not running: use it in a with block or call start()")
        return f"http://127.0.0.1:{self._server.port}"

    def settings(self) -> FawrySettings:
        """Settings pointing a :class:`FawryProvider` at this simulator."""
        return FawrySettings(self.merchant_code, self._key, base_url=self.base_url)

    def provider(self) -> FawryProvider:
        return FawryProvider(self.settings())

    def checkout_url(self, reference: str) -> str:
        return f"{self.base_url}{CHECKOUT_PATH}{reference}"

    # ------------------------------------------------------------------ acting as the world

    def order(self, reference: str) -> SimulatedOrder:
        with self._lock:
            try:
                return attrs.evolve(self._orders[reference])
            except KeyError:
                raise SimulatorError(f"no Fawry order with reference {reference!r}") from None

    @property
    def orders(self) -> list[SimulatedOrder]:
        with self._lock:
            return [attrs.evolve(o) for o in self._orders.values()]

    def pay(self, reference: str, *, notify: bool = True) -> SimulatedNotification:
        """Pay ``reference`` as a citizen would at a Fawry outlet (or on the card page); notify the merchant."""
        with self._lock:
            order = self._live(reference)
            if order.status != "UNPAID":
                raise SimulatorError(f"Fawry order {reference} is {order.status}: it cannot be paid")
            order.status = "PAID"
            order.paid_ms = _ms(self._clock())
            order.outlet_ref = str(next(self._receipts)) if order.method == "PAYATFAWRY" else ""
        return self._notify(reference, notify)

    def expire(self, reference: str, *, notify: bool = False) -> SimulatedNotification | None:
        """Let an unpaid reference expire (FawryPay does this at ``paymentExpiry``)."""
        with self._lock:
            order = self._live(reference)
            if order.status != "UNPAID":
                raise SimulatorError(f"Fawry order {reference} is {order.status}: only an unpaid one expires")
            order.status = "EXPIRED"
        return self._notify(reference, notify) if notify else None

    def resend(self, reference: str) -> SimulatedNotification:
        """Send the last notification about ``reference`` again, byte for byte (FawryPay retries)."""
        with self._lock:
            body = self._last.get(reference)
        if body is None:
            raise SimulatorError(f"no notification was sent about {reference!r}")
        return self._deliver(body)

    def notification_body(self, reference: str) -> bytes:
        """The V2 notification describing ``reference`` now, signed."""
        with self._lock:
            order = self._orders[reference]
            method = NOTIFIED_METHODS.get(order.method, order.method)
            paid = order.amount + order.fees
            message: dict[str, Any] = {
                "requestId": f"sim-{reference}-{order.status.lower()}",
                "fawryRefNumber": order.reference,
                "merchantRefNumber": order.merchant_ref,
                "customerName": order.customer_name,
                "customerMobile": order.customer_mobile,
                "customerMail": order.customer_email,
                "paymentAmount": Decimal(format_amount(paid)),
                "orderAmount": Decimal(format_amount(order.amount)),
                "fawryFees": Decimal(format_amount(order.fees)),
                "orderStatus": order.status,
                "paymentMethod": method,
                "paymentTime": order.paid_ms,
                "paymentRefrenceNumber": order.outlet_ref or None,
                "orderExpiryDate": order.expires_ms,
                "orderItems": [
                    {"itemCode": i["itemId"], "price": i["price"], "quantity": i["quantity"]} for i in order.items
                ],
                "failureErrorCode": None,
                "failureReason": None,
            }
            message["messageSignature"] = notification_signature(
                order.reference,
                order.merchant_ref,
                format_amount(paid),
                format_amount(order.amount),
                order.status,
                method,
                order.outlet_ref,
                self._key,
            )
            return dump_json(message)

    def _live(self, reference: str) -> SimulatedOrder:
        order = self._orders.get(reference)
        if order is None:
            raise SimulatorError(f"no Fawry order with reference {reference!r}")
        if order.status == "UNPAID" and order.expires_ms is not None and order.expires_ms < _ms(self._clock()):
            order.status = "EXPIRED"
        return order

    def _notify(self, reference: str, send: bool) -> SimulatedNotification:
        body = self.notification_body(reference)
        with self._lock:
            self._last[reference] = body
        return self._deliver(body) if send else SimulatedNotification(body, {"Content-Type": "application/json"})

    def _deliver(self, body: bytes) -> SimulatedNotification:
        headers = {"Content-Type": "application/json"}
        return deliver_notification(body, headers, url=self.notification_url, callback=self.on_notification)

    # ------------------------------------------------------------------ the endpoints

    def _check_merchant(self, code: object) -> None:
        if not isinstance(code, str) or not hmac.compare_digest(code.encode(), self.merchant_code.encode()):
            raise _Refusal("9901", "Invalid merchant code")

    def _check_signature(self, expected: str, received: object) -> None:
        if not signatures_match(expected, received):
            raise _Refusal("9946", "Signature is invalid")

    def _reference(self, value: object) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise _Refusal("9944", "Reference number is blank")
        return str(value).strip()

    def _amount(self, value: object, field: str) -> Decimal:
        try:
            return parse_amount(value, field)
        except PaymentError:
            raise _Refusal("9965", f"invalid {field}") from None

    def charge(self, message: dict[str, Any]) -> dict[str, Any]:
        self._check_merchant(message.get("merchantCode"))
        merchant_ref = self._reference(message.get("merchantRefNum"))
        method = str(message.get("paymentMethod", ""))
        if method not in NOTIFIED_METHODS:
            raise _Refusal("9961", SIMULATOR_CODES["9961"])
        amount = self._amount(message.get("amount"), "amount")
        token_or_wallet = (
            str(message.get("cardToken") or "")
            if method == "CARD"
            else str(message.get("debitMobileWalletNo") or "")
            if method == "MWALLET"
            else ""
        )
        expected = charge_signature(
            self.merchant_code,
            merchant_ref,
            str(message.get("customerProfileId") or ""),
            method,
            format_amount(amount),
            token_or_wallet,
            self._key,
        )
        self._check_signature(expected, message.get("signature"))
        charged = message.get("chargeItems")
        items: list[Any] = charged if isinstance(charged, list) else []
        with self._lock:
            if merchant_ref in self._by_merchant_ref:
                raise _Refusal("9960", SIMULATOR_CODES["9960"])
            reference = str(next(self._references))
            expiry = message.get("paymentExpiry")
            order = SimulatedOrder(
                reference=reference,
                merchant_ref=merchant_ref,
                method=method,
                amount=amount,
                fees=self.fees,
                status="UNPAID",
                expires_ms=expiry if isinstance(expiry, int) and not isinstance(expiry, bool) else None,
                customer_name=str(message.get("customerName") or ""),
                customer_mobile=str(message.get("customerMobile") or ""),
                customer_email=str(message.get("customerEmail") or ""),
                items=[i for i in items if isinstance(i, dict)],
            )
            self._orders[reference] = order
            self._by_merchant_ref[merchant_ref] = reference
        answer: dict[str, Any] = {
            "type": "ChargeResponse",
            "referenceNumber": reference,
            "merchantRefNumber": merchant_ref,
            "orderAmount": Decimal(format_amount(amount)),
            "paymentAmount": Decimal(format_amount(amount + self.fees)),
            "fawryFees": Decimal(format_amount(self.fees)),
            "paymentMethod": method,
            "orderStatus": "UNPAID",
            "expirationTime": order.expires_ms,
            "statusCode": 200,
            "statusDescription": "Operation done successfully",
        }
        if method in ("CARD", "MWALLET") and not (method == "CARD" and token_or_wallet):
            answer["nextAction"] = {
                "type": "THREE_D_SECURE" if method == "CARD" else "REDIRECT",
                "redirectUrl": self.checkout_url(reference),
            }
        return answer

    def status(self, query: Mapping[str, str]) -> dict[str, Any]:
        self._check_merchant(query.get("merchantCode"))
        merchant_ref = self._reference(query.get("merchantRefNumber", ""))
        self._check_signature(status_signature(self.merchant_code, merchant_ref, self._key), query.get("signature"))
        with self._lock:
            reference = self._by_merchant_ref.get(merchant_ref)
            if reference is None:
                raise _Refusal("9938", "Payment not found")
            order = self._live(reference)
            return {
                "type": "PaymentStatusResponse",
                "referenceNumber": order.reference,
                "merchantRefNumber": order.merchant_ref,
                "paymentAmount": Decimal(format_amount(order.amount + order.fees)),
                "orderAmount": Decimal(format_amount(order.amount)),
                "fawryFees": Decimal(format_amount(order.fees)),
                "paymentMethod": order.method,
                "paymentStatus": order.status,
                "paymentTime": order.paid_ms,
                "paymentRefrenceNumber": order.outlet_ref or None,
                "statusCode": 200,
                "statusDescription": "Operation done successfully",
            }

    def refund(self, message: dict[str, Any]) -> dict[str, Any]:
        self._check_merchant(message.get("merchantCode"))
        reference = self._reference(message.get("referenceNumber"))
        amount = self._amount(message.get("refundAmount"), "refundAmount")
        reason = message.get("reason")
        reason = reason if isinstance(reason, str) and reason else None
        expected = refund_signature(self.merchant_code, reference, format_amount(amount), reason, self._key)
        self._check_signature(expected, message.get("signature"))
        with self._lock:
            order = self._orders.get(reference)
            if order is None:
                raise _Refusal("9938", "Payment not found")
            if order.status not in ("PAID", "PARTIAL_REFUNDED"):
                raise _Refusal("9962", SIMULATOR_CODES["9962"])
            if amount <= 0 or order.refunded + amount > order.amount:
                raise _Refusal("9963", SIMULATOR_CODES["9963"])
            order.refunded += amount
            order.status = "REFUNDED" if order.refunded == order.amount else "PARTIAL_REFUNDED"
        return {"type": "ResponseDataModel", "statusCode": 200, "statusDescription": "Operation done successfully"}

    def cancel(self, message: dict[str, Any]) -> dict[str, Any]:
        self._check_merchant(message.get("merchantAccount"))
        reference = self._reference(message.get("orderRefNo"))
        lang = message.get("lang")
        if lang not in ("ar-eg", "en-gb"):
            raise _Refusal("9966", SIMULATOR_CODES["9966"])
        self._check_signature(
            cancel_signature(reference, self.merchant_code, lang, self._key), message.get("signature")
        )
        with self._lock:
            if reference not in self._orders:
                raise _Refusal("9938", "Payment not found")
            order = self._live(reference)
            if order.status != "UNPAID":
                raise _Refusal("9964", SIMULATOR_CODES["9964"])
            order.status = "CANCELLED"
        return {"statusCode": 200, "statusDescription": "Order cancelled"}


def _raw_query(query: str) -> dict[str, str]:
    """Query parameters without turning ``+`` into a space: merchant codes hold ``+`` and ``=``.

    A client may send them encoded (``%2B``, ``%3D``) or as they are; both are accepted. Only the
    first ``=`` of a pair separates the name from the value.
    """
    values: dict[str, str] = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        values.setdefault(urllib.parse.unquote(name), urllib.parse.unquote(value))
    return values


class _Handler(BaseHTTPRequestHandler):
    simulator: FawrySimulator

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: dict[str, Any] | bytes, content_type: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else dump_json(payload)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _run(self, operation: Callable[[], dict[str, Any]]) -> None:
        try:
            self._send(200, operation())
        except _Refusal as refusal:
            self._send(200, {"statusCode": int(refusal.code), "statusDescription": refusal.description})

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == STATUS_PATH:
            self._run(lambda: self.simulator.status(_raw_query(query)))
        elif path.startswith(CHECKOUT_PATH):
            reference = path[len(CHECKOUT_PATH) :]
            try:
                self.simulator.pay(reference)
                self._send(200, "<html><body><p>تم الدفع — Paid</p></body></html>".encode(), "text/html; charset=utf-8")
            except SimulatorError as error:
                self._send(409, str(error).encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, {"statusCode": 404, "statusDescription": "Not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1_000_000))
        routes = {
            CHARGE_PATH: self.simulator.charge,
            REFUND_PATH: self.simulator.refund,
            CANCEL_PATH: self.simulator.cancel,
        }
        route = routes.get(self.path.partition("?")[0])
        if route is None:
            self._send(404, {"statusCode": 404, "statusDescription": "Not found"})
            return
        try:
            message = parse_json(raw, "request")
        except PaymentError:
            message = None
        if not isinstance(message, dict):
            self._send(400, {"statusCode": 9965, "statusDescription": SIMULATOR_CODES["9965"]})
            return
        self._run(lambda: route(message))
