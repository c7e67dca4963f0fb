"""FawryPay's words: paths, payment methods, statuses, and reading a V2 server notification."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from localgov.payments import (
    InvalidNotificationSignature,
    MalformedNotification,
    Notification,
    PaymentMethod,
    PaymentStatus,
    Secret,
    format_amount,
    parse_amount,
    parse_json,
    signatures_match,
)
from localgov_fawry.signatures import notification_signature

__all__ = [
    "CANCEL_PATH",
    "CHARGE_PATH",
    "FAWRY_METHODS",
    "REFUND_PATH",
    "STATUS_PATH",
    "fawry_status",
    "parse_v2_notification",
]

CHARGE_PATH = "/ECommerceWeb/Fawry/payments/charge"
STATUS_PATH = "/ECommerceWeb/Fawry/payments/status/v2"
REFUND_PATH = "/ECommerceWeb/Fawry/payments/refund"
CANCEL_PATH = "/ECommerceWeb/api/orders/cancel-unpaid-order"

FAWRY_METHODS = {
    PaymentMethod.OUTLET: "PAYATFAWRY",
    PaymentMethod.CARD: "CARD",
    PaymentMethod.WALLET: "MWALLET",
}

# Status words of the status v2 answer and of V2 notifications (which add NEW, CANCELED and
# PARTIAL_REFUNDED), compared upper-cased: real payloads vary in case.
_STATUSES = {
    "NEW": PaymentStatus.PENDING,
    "UNPAID": PaymentStatus.PENDING,
    "PAID": PaymentStatus.PAID,
    "EXPIRED": PaymentStatus.EXPIRED,
    "CANCELLED": PaymentStatus.CANCELLED,
    "CANCELED": PaymentStatus.CANCELLED,
    "FAILED": PaymentStatus.FAILED,
    "REFUNDED": PaymentStatus.REFUNDED,
    "PARTIAL_REFUNDED": PaymentStatus.PARTIALLY_REFUNDED,
}


def fawry_status(word: object) -> PaymentStatus | None:
    return _STATUSES.get(word.strip().upper()) if isinstance(word, str) else None


def _text(message: Mapping[str, Any], field: str, *, required: bool = True, limit: int = 200) -> str:
    value = message.get(field)
    if value is None or value == "":
        if required:
            raise MalformedNotification(f"Fawry notification: {field} is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedNotification(f"Fawry notification: {field} must be text, got {type(value).__name__}")
    text = str(value)
    if len(text) > limit:
        raise MalformedNotification(f"Fawry notification: {field} is longer than {limit} characters")
    return text


def _time(value: object) -> datetime.datetime | None:
    # Epoch milliseconds; anything else is informational only and ignored.
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**14:
        return datetime.datetime.fromtimestamp(value / 1000, datetime.UTC)
    return None


def parse_v2_notification(body: bytes, key: Secret, provider_code: str = "fawry") -> Notification:
    """Verify ``messageSignature`` (constant time) and read a server notification V2.

    The signature covers the references, both amounts, the status, the payment method and the
    outlet's payment reference: those are what localgov believes. Other fields (the customer's name,
    items) are not signed and are not used.
    """
    message = parse_json(body, "Fawry notification")
    if not isinstance(message, dict):
        raise MalformedNotification("Fawry notification: expected a JSON object")
    fawry_ref = _text(message, "fawryRefNumber")
    merchant_ref = _text(message, "merchantRefNumber")
    raw_status = _text(message, "orderStatus", limit=40)
    method = _text(message, "paymentMethod", required=False, limit=40)
    outlet_ref = _text(message, "paymentRefrenceNumber", required=False)  # sic: Fawry's spelling
    payment_amount = parse_amount(message.get("paymentAmount"), "paymentAmount")
    order_amount = parse_amount(message.get("orderAmount"), "orderAmount")
    signature = message.get("messageSignature")
    expected = notification_signature(
        fawry_ref,
        merchant_ref,
        format_amount(payment_amount),
        format_amount(order_amount),
        raw_status,
        method,
        outlet_ref,
        key,
    )
    if not signatures_match(expected, signature):
        raise InvalidNotificationSignature(
            f"Fawry notification for {merchant_ref[:64]!r}: messageSignature does not verify"
        )
    status = fawry_status(raw_status)
    if status is None:
        raise MalformedNotification(f"Fawry notification: unknown orderStatus {raw_status!r}")
    return Notification(
        provider=provider_code,
        merchant_ref=merchant_ref,
        provider_ref=fawry_ref,
        status=status,
        amount=order_amount,
        paid_amount=payment_amount,
        # V2 notifications carry no (signed) currency: FawryPay charges in Egyptian pounds only.
        currency="EGP",
        method=method,
        key=f"{fawry_ref}:{status.value}:{format_amount(payment_amount)}",
        digest=hashlib.sha256(body).hexdigest(),
        paid_at=_time(message.get("paymentTime")) if status is PaymentStatus.PAID else None,
        raw_status=raw_status,
    )


def as_decimal(value: object, field: str) -> Decimal:
    """An amount in a Fawry answer (not a notification)."""
    return parse_amount(value, field)
