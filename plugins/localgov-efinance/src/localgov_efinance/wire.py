"""The e-finance wire format: the one place that depends on e-finance's integration specification.

e-finance publishes no open API. Everything the provider sends and reads goes through a
:class:`WireFormat`; :class:`ProvisionalWireFormat` is localgov's own stand-in (JSON bodies signed
with HMAC-SHA256 over a shared secret), spoken by :class:`~localgov_efinance.EFinanceSimulator`.
When e-finance hands a government entity its specification, implement :class:`WireFormat` to it
(endpoints, field names, signature scheme, status words) and pass it to
:class:`~localgov_efinance.EFinanceProvider`; nothing else changes.

The provisional format:

- requests carry ``X-EF-Biller`` (the entity's biller id), ``X-EF-Timestamp`` and ``X-EF-Signature``
  = hex HMAC-SHA256(secret, ``METHOD\\nPATH\\nTIMESTAMP\\nBODY``);
- ``POST /api/v1/bills`` issues a bill reference; ``GET /api/v1/bills/{merchantReference}`` inquires;
  ``POST /api/v1/bills/{billReference}/refunds`` refunds; ``POST /api/v1/bills/{billReference}/cancel``
  cancels an unpaid bill;
- notifications are JSON POSTs with ``X-EF-Timestamp`` and ``X-EF-Signature`` = hex
  HMAC-SHA256(secret, ``TIMESTAMP\\nBODY``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs

from localgov.payments import (
    CreatedPayment,
    InvalidNotificationSignature,
    MalformedNotification,
    Notification,
    PaymentError,
    PaymentMethod,
    PaymentOrder,
    PaymentState,
    PaymentStatus,
    ProviderError,
    ProviderUnavailable,
    Refund,
    Secret,
    UnknownPayment,
    dump_json,
    format_amount,
    parse_amount,
    parse_json,
    signatures_match,
)

__all__ = ["CHANNELS", "HttpCall", "ProvisionalWireFormat", "WireFormat", "sign_notification", "sign_request"]

# How a citizen can pay a government bill through e-finance, as the channel names of the provisional format.
CHANNELS = {
    "MEEZA_CARD": PaymentMethod.CARD,  # Meeza (the national card scheme), on a payment page
    "GOV_POS": PaymentMethod.OUTLET,  # a government POS terminal, with the bill reference
    "POST_OFFICE": PaymentMethod.OUTLET,  # an Egypt Post office, with the bill reference
}
_STATUSES = {
    "UNPAID": PaymentStatus.PENDING,
    "PAID": PaymentStatus.PAID,
    "EXPIRED": PaymentStatus.EXPIRED,
    "CANCELLED": PaymentStatus.CANCELLED,
    "REFUNDED": PaymentStatus.REFUNDED,
    "PARTIALLY_REFUNDED": PaymentStatus.PARTIALLY_REFUNDED,
    "FAILED": PaymentStatus.FAILED,
}


@attrs.frozen
class HttpCall:
    """One request to send: the transport adds the base URL."""

    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)


class WireFormat(Protocol):
    """Everything that depends on e-finance's specification, and nothing else."""

    def issue_bill(self, order: PaymentOrder) -> HttpCall: ...
    def read_bill(self, status: int, body: bytes, order: PaymentOrder) -> CreatedPayment: ...
    def inquire(self, merchant_ref: str) -> HttpCall: ...
    def read_inquiry(self, status: int, body: bytes, merchant_ref: str) -> PaymentState: ...
    def refund(self, bill_ref: str, amount: Decimal, reason: str | None) -> HttpCall: ...
    def read_refund(self, status: int, body: bytes, bill_ref: str, amount: Decimal, reason: str | None) -> Refund: ...
    def cancel(self, bill_ref: str) -> HttpCall: ...
    def read_cancel(self, status: int, body: bytes, bill_ref: str) -> None: ...
    def notification(self, body: bytes, headers: Mapping[str, str]) -> Notification: ...


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_request(secret: Secret, method: str, path: str, timestamp: str, body: bytes) -> str:
    message = f"{method}\n{path}\n{timestamp}\n".encode() + body
    return hmac.new(secret.reveal().encode(), message, hashlib.sha256).hexdigest()


def sign_notification(secret: Secret, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.reveal().encode(), f"{timestamp}\n".encode() + body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _moment(value: object) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class ProvisionalWireFormat:
    """localgov's provisional e-finance format (see the module docstring); the simulator speaks it."""

    def __init__(
        self,
        biller_id: str,
        secret: Secret,
        *,
        provider_code: str = "efinance",
        clock: Callable[[], datetime.datetime] = _utcnow,
    ) -> None:
        self.biller_id = biller_id
        self._secret = secret
        self.provider_code = provider_code
        self._clock = clock

    def __repr__(self) -> str:
        return f"ProvisionalWireFormat(biller_id={self.biller_id!r})"

    def _call(self, method: str, path: str, payload: dict[str, Any] | None) -> HttpCall:
        body = dump_json(payload) if payload is not None else b""
        timestamp = _timestamp(self._clock())
        headers = {
            "X-EF-Biller": self.biller_id,
            "X-EF-Timestamp": timestamp,
            "X-EF-Signature": sign_request(self._secret, method, path, timestamp, body),
        }
        return HttpCall(method, path, body if payload is not None else None, headers)

    def _answer(self, status: int, body: bytes, operation: str) -> dict[str, Any]:
        try:
            answer = parse_json(body, f"e-finance {operation} answer")
        except PaymentError:
            raise ProviderUnavailable(f"e-finance {operation}: HTTP {status}, not a JSON answer") from None
        if not isinstance(answer, dict):
            raise ProviderUnavailable(f"e-finance {operation}: HTTP {status}, unexpected answer")
        if status == 404:
            raise UnknownPayment(f"e-finance {operation}: no such bill")
        if status != 200:
            found = answer.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            raise ProviderError(
                self.provider_code,
                str(error.get("code", status))[:40],
                f"({operation}) {str(error.get('message', ''))[:200]}",
            )
        return answer

    def _status(self, word: object, operation: str) -> PaymentStatus:
        status = _STATUSES.get(word) if isinstance(word, str) else None
        if status is None:
            raise ProviderUnavailable(f"e-finance {operation}: unknown status {str(word)[:30]!r}")
        return status

    # ------------------------------------------------------------------ bills

    def issue_bill(self, order: PaymentOrder) -> HttpCall:
        return self._call(
            "POST",
            "/api/v1/bills",
            {
                "merchantReference": order.merchant_ref,
                "amount": Decimal(format_amount(order.amount)),
                "currency": order.currency,
                "description": order.description,
                "payer": {"name": order.customer.name, "mobile": order.customer.mobile},
                "items": [
                    {"revenueItem": i.code, "amount": Decimal(format_amount(i.amount)), "quantity": i.quantity}
                    for i in order.items
                ],
                "channels": ["MEEZA_CARD"]
                if order.method is PaymentMethod.CARD
                else ["GOV_POS", "POST_OFFICE", "MEEZA_CARD"],
                "expiresAt": _timestamp(order.expires_at) if order.expires_at else None,
                "returnUrl": order.return_url,
            },
        )

    def read_bill(self, status: int, body: bytes, order: PaymentOrder) -> CreatedPayment:
        answer = self._answer(status, body, "issue bill")
        reference = answer.get("billReference")
        if not isinstance(reference, str) or not reference:
            raise ProviderUnavailable("e-finance issue bill: no billReference in the answer")
        pay_url = answer.get("payUrl")
        return CreatedPayment(
            provider=self.provider_code,
            merchant_ref=order.merchant_ref,
            provider_ref=reference,
            method=order.method,
            amount=order.amount,
            currency=order.currency,
            status=self._status(answer.get("status"), "issue bill"),
            reference_number=reference if order.method is PaymentMethod.OUTLET else None,
            redirect_url=pay_url if order.method is not PaymentMethod.OUTLET and isinstance(pay_url, str) else None,
            expires_at=_moment(answer.get("expiresAt")) or order.expires_at,
        )

    def inquire(self, merchant_ref: str) -> HttpCall:
        return self._call("GET", f"/api/v1/bills/{urllib.parse.quote(merchant_ref, safe='')}", None)

    def read_inquiry(self, status: int, body: bytes, merchant_ref: str) -> PaymentState:
        answer = self._answer(status, body, "inquiry")
        state = self._status(answer.get("status"), "inquiry")
        paid = answer.get("paidAmount")
        return PaymentState(
            provider=self.provider_code,
            merchant_ref=merchant_ref,
            provider_ref=str(answer.get("billReference", "")),
            status=state,
            amount=parse_amount(answer.get("amount"), "amount"),
            currency=str(answer.get("currency", "EGP"))[:8],
            paid_amount=parse_amount(paid, "paidAmount") if paid is not None else None,
            paid_at=_moment(answer.get("paidAt")),
            refunded_amount=parse_amount(answer.get("refundedAmount", "0.00"), "refundedAmount"),
        )

    def refund(self, bill_ref: str, amount: Decimal, reason: str | None) -> HttpCall:
        return self._call(
            "POST",
            f"/api/v1/bills/{urllib.parse.quote(bill_ref, safe='')}/refunds",
            {"amount": Decimal(format_amount(amount)), "reason": reason},
        )

    def read_refund(self, status: int, body: bytes, bill_ref: str, amount: Decimal, reason: str | None) -> Refund:
        answer = self._answer(status, body, "refund")
        return Refund(self.provider_code, bill_ref, amount, reason, str(answer.get("refundReference") or "") or None)

    def cancel(self, bill_ref: str) -> HttpCall:
        return self._call("POST", f"/api/v1/bills/{urllib.parse.quote(bill_ref, safe='')}/cancel", {})

    def read_cancel(self, status: int, body: bytes, bill_ref: str) -> None:
        self._answer(status, body, "cancel")

    # ------------------------------------------------------------------ notifications

    def notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        timestamp = _header(headers, "X-EF-Timestamp")
        if len(timestamp) > 40 or not signatures_match(
            sign_notification(self._secret, timestamp, body), _header(headers, "X-EF-Signature")
        ):
            raise InvalidNotificationSignature("e-finance notification: X-EF-Signature does not verify")
        message = parse_json(body, "e-finance notification")
        if not isinstance(message, dict):
            raise MalformedNotification("e-finance notification: expected a JSON object")
        fields = {}
        for name in ("billReference", "merchantReference", "status", "currency"):
            value = message.get(name)
            if not isinstance(value, str) or not value or len(value) > 100:
                raise MalformedNotification(f"e-finance notification: {name} must be a non-empty text")
            fields[name] = value
        status = _STATUSES.get(fields["status"])
        if status is None:
            raise MalformedNotification(f"e-finance notification: unknown status {fields['status'][:30]!r}")
        channel = message.get("channel")
        amount = parse_amount(message.get("amount"), "amount")
        return Notification(
            provider=self.provider_code,
            merchant_ref=fields["merchantReference"],
            provider_ref=fields["billReference"],
            status=status,
            amount=amount,
            paid_amount=parse_amount(message.get("paidAmount", message.get("amount")), "paidAmount"),
            currency=fields["currency"],
            method=channel if isinstance(channel, str) else "",
            key=f"{fields['billReference']}:{status.value}",
            digest=hashlib.sha256(body).hexdigest(),
            paid_at=_moment(message.get("paidAt")),
            raw_status=fields["status"],
        )
