"""The FawryPay provider: charge, payment status v2, refund, cancel unpaid, server notification V2."""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from localgov.i18n import LocalizedText
from localgov.payments import (
    CreatedPayment,
    Notification,
    PaymentError,
    PaymentMethod,
    PaymentOrder,
    PaymentState,
    PaymentStatus,
    ProviderError,
    ProviderUnavailable,
    Refund,
    UnknownPayment,
    dump_json,
    format_amount,
    parse_amount,
    parse_json,
)
from localgov_fawry.settings import FawrySettings
from localgov_fawry.signatures import (
    cancel_signature,
    charge_signature,
    refund_signature,
    status_signature,
)
from localgov_fawry.transport import HttpTransport, UrllibTransport
from localgov_fawry.wire import (
    CANCEL_PATH,
    CHARGE_PATH,
    FAWRY_METHODS,
    REFUND_PATH,
    STATUS_PATH,
    fawry_status,
    parse_v2_notification,
)

__all__ = ["NOT_FOUND", "FawryProvider"]

OK = "200"
BAD_MERCHANT = "9901"
BLANK_REFERENCE = "9944"
BAD_SIGNATURE = "9946"
NOT_FOUND = "9938"


def _epoch_ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _from_epoch_ms(value: object) -> datetime.datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**14:
        return datetime.datetime.fromtimestamp(value / 1000, datetime.UTC)
    return None


class FawryProvider:
    """FawryPay for localgov (code ``"fawry"``).

    :param settings: the merchant's settings; when ``None`` they are read from the environment
        (``LOCALGOV_FAWRY_*``) on first use, so the plugin can register before it is configured.
    :param transport: HTTP; the standard library's by default.
    """

    code = "fawry"
    name = LocalizedText("فوري", "Fawry")
    methods = frozenset({PaymentMethod.OUTLET, PaymentMethod.CARD, PaymentMethod.WALLET})

    def __init__(self, settings: FawrySettings | None = None, *, transport: HttpTransport | None = None) -> None:
        self._settings = settings
        self._transport = transport

    def __repr__(self) -> str:
        code = self._settings.merchant_code if self._settings else "(from environment)"
        return f"FawryProvider(merchant_code={code!r}, url={self._settings.url if self._settings else None!r})"

    @property
    def settings(self) -> FawrySettings:
        if self._settings is None:
            self._settings = FawrySettings.from_env()
        return self._settings

    @property
    def transport(self) -> HttpTransport:
        if self._transport is None:
            self._transport = UrllibTransport(self.settings.timeout, name="Fawry")
        return self._transport

    # ------------------------------------------------------------------ wire

    def _answer(self, status: int, body: bytes, operation: str) -> dict[str, Any]:
        try:
            answer = parse_json(body, f"Fawry {operation} answer")
        except PaymentError:
            raise ProviderUnavailable(f"Fawry {operation}: HTTP {status}, not a JSON answer") from None
        if not isinstance(answer, dict):
            raise ProviderUnavailable(f"Fawry {operation}: HTTP {status}, unexpected answer")
        code = str(answer.get("statusCode", answer.get("code", status)))
        if code != OK:
            description = str(answer.get("statusDescription", answer.get("description", "")))[:200]
            if code == NOT_FOUND:
                raise UnknownPayment(f"Fawry {operation}: {code} {description}")
            raise ProviderError(self.code, code, f"({operation}) {description}")
        return answer

    def _post(self, path: str, payload: dict[str, Any], operation: str) -> dict[str, Any]:
        status, body = self.transport.post(self.settings.url + path, dump_json(payload))
        return self._answer(status, body, operation)

    # ------------------------------------------------------------------ the contract

    def create_payment(self, order: PaymentOrder) -> CreatedPayment:
        settings = self.settings
        method = FAWRY_METHODS[order.method]
        amount = format_amount(order.amount)
        token = (order.card_token or "") if order.method is PaymentMethod.CARD else ""
        wallet = (order.wallet_number or order.customer.mobile) if order.method is PaymentMethod.WALLET else ""
        payload: dict[str, Any] = {
            "merchantCode": settings.merchant_code,
            "merchantRefNum": order.merchant_ref,
            "customerProfileId": order.customer.profile_id,
            "customerName": order.customer.name,
            "customerMobile": order.customer.mobile,
            "customerEmail": order.customer.email or "",
            "paymentMethod": method,
            "amount": Decimal(amount),
            "currencyCode": order.currency,
            "description": order.description,
            "language": settings.language,
            "chargeItems": [
                {
                    "itemId": item.code,
                    "description": item.description,
                    "price": Decimal(format_amount(item.amount)),
                    "quantity": item.quantity,
                }
                for item in order.items
            ],
            "signature": charge_signature(
                settings.merchant_code,
                order.merchant_ref,
                order.customer.profile_id,
                method,
                amount,
                token or wallet,
                settings.secure_key,
            ),
        }
        if order.method is PaymentMethod.OUTLET and order.expires_at is not None:
            payload["paymentExpiry"] = _epoch_ms(order.expires_at)
        if order.method is PaymentMethod.CARD:
            if token:
                payload["cardToken"] = token
            else:
                payload.update(enable3DS=True, returnUrl=order.return_url or "")
        if order.method is PaymentMethod.WALLET:
            payload.update(debitMobileWalletNo=wallet, returnUrl=order.return_url or "")
        answer = self._post(CHARGE_PATH, payload, "charge")
        reference = str(answer.get("referenceNumber") or "")
        if not reference:
            raise ProviderUnavailable("Fawry charge: the answer has no referenceNumber")
        next_action = answer.get("nextAction")
        redirect = next_action.get("redirectUrl") if isinstance(next_action, dict) else None
        status = (
            fawry_status(answer.get("orderStatus") or answer.get("paymentStatus") or "UNPAID") or PaymentStatus.PENDING
        )
        return CreatedPayment(
            provider=self.code,
            merchant_ref=order.merchant_ref,
            provider_ref=reference,
            method=order.method,
            amount=order.amount,
            currency=order.currency,
            status=status,
            reference_number=reference if order.method is PaymentMethod.OUTLET else None,
            redirect_url=str(redirect) if isinstance(redirect, str) and redirect else None,
            expires_at=_from_epoch_ms(answer.get("expirationTime")) or order.expires_at,
        )

    def query_status(self, merchant_ref: str) -> PaymentState:
        settings = self.settings
        signature = status_signature(settings.merchant_code, merchant_ref, settings.secure_key)
        # Fawry expects the merchant code as issued: "+" and "=" are sent as they are, not encoded.
        query = "&".join(
            f"{name}={urllib.parse.quote(value, safe=safe)}"
            for name, value, safe in (
                ("merchantCode", settings.merchant_code, "+="),
                ("merchantRefNumber", merchant_ref, ""),
                ("signature", signature, ""),
            )
        )
        status, body = self.transport.get(f"{settings.url}{STATUS_PATH}?{query}")
        answer = self._answer(status, body, "payment status")
        word = answer.get("paymentStatus", answer.get("orderStatus"))
        payment_status = fawry_status(word)
        if payment_status is None:
            raise ProviderUnavailable(f"Fawry payment status: unknown paymentStatus {str(word)[:40]!r}")
        order_amount = parse_amount(answer.get("orderAmount", answer.get("paymentAmount")), "orderAmount")
        paid = (
            parse_amount(answer["paymentAmount"], "paymentAmount") if answer.get("paymentAmount") is not None else None
        )
        return PaymentState(
            provider=self.code,
            merchant_ref=str(answer.get("merchantRefNumber") or merchant_ref),
            provider_ref=str(answer.get("referenceNumber") or answer.get("fawryRefNumber") or ""),
            status=payment_status,
            amount=order_amount,
            currency="EGP",
            paid_amount=paid if payment_status.settled else None,
            paid_at=_from_epoch_ms(answer.get("paymentTime")) if payment_status.settled else None,
            refunded_amount=parse_amount(answer.get("refundedAmount", "0.00"), "refundedAmount"),
        )

    def refund(self, provider_ref: str, amount: Decimal, reason: str | None = None) -> Refund:
        settings = self.settings
        refund_amount = format_amount(amount)
        payload: dict[str, Any] = {
            "merchantCode": settings.merchant_code,
            "referenceNumber": provider_ref,
            "refundAmount": Decimal(refund_amount),
            "signature": refund_signature(
                settings.merchant_code, provider_ref, refund_amount, reason, settings.secure_key
            ),
        }
        if reason:
            payload["reason"] = reason
        answer = self._post(REFUND_PATH, payload, "refund")
        refund_ref = answer.get("refundReferenceNumber") or answer.get("referenceNumber")
        return Refund(self.code, provider_ref, amount, reason, str(refund_ref) if refund_ref else None)

    def cancel(self, provider_ref: str) -> None:
        settings = self.settings
        self._post(
            CANCEL_PATH,
            {
                "merchantAccount": settings.merchant_code,
                "orderRefNo": provider_ref,
                "lang": settings.language,
                "signature": cancel_signature(
                    provider_ref, settings.merchant_code, settings.language, settings.secure_key
                ),
            },
            "cancel unpaid order",
        )

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        return parse_v2_notification(body, self.settings.secure_key, self.code)
