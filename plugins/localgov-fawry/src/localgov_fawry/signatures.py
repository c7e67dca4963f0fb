"""Every FawryPay signature: lower-case hex SHA-256 of the fields concatenated, then the secure key.

Each function spells its concatenation out in the documented order, so a reader can compare it
with Fawry's documentation line by line. Amounts are passed already formatted with two decimals
(:func:`localgov.payments.format_amount`), exactly as they enter the string.
"""

from __future__ import annotations

from localgov.payments import Secret, sha256_signature

__all__ = [
    "cancel_signature",
    "charge_signature",
    "notification_signature",
    "refund_signature",
    "status_signature",
]


def charge_signature(
    merchant_code: str,
    merchant_ref: str,
    customer_profile_id: str,
    payment_method: str,
    amount: str,
    card_token_or_wallet: str,
    key: Secret,
) -> str:
    """Charge: merchantCode + merchantRefNum + customerProfileId + paymentMethod + amount + cardToken + secureKey.

    For ``MWALLET`` the wallet number takes the card token's place (after the amount); for
    ``PAYATFAWRY`` and a card without a token it is empty.
    """
    return sha256_signature(
        merchant_code, merchant_ref, customer_profile_id, payment_method, amount, card_token_or_wallet, key=key
    )


def status_signature(merchant_code: str, merchant_ref: str, key: Secret) -> str:
    """Payment status v2: merchantCode + merchantRefNumber + secureKey."""
    return sha256_signature(merchant_code, merchant_ref, key=key)


def refund_signature(
    merchant_code: str, reference_number: str, refund_amount: str, reason: str | None, key: Secret
) -> str:
    """Refund: merchantCode + referenceNumber + refundAmount + reason (only if given) + secureKey."""
    return sha256_signature(merchant_code, reference_number, refund_amount, reason or "", key=key)


def cancel_signature(order_ref: str, merchant_account: str, lang: str, key: Secret) -> str:
    """Cancel unpaid order: orderRefNo + merchantAccount + lang + secureKey."""
    return sha256_signature(order_ref, merchant_account, lang, key=key)


def notification_signature(
    fawry_ref: str,
    merchant_ref: str,
    payment_amount: str,
    order_amount: str,
    order_status: str,
    payment_method: str,
    payment_reference_number: str | None,
    key: Secret,
) -> str:
    """Server notification V2 (messageSignature): fawryRefNumber + merchantRefNumber + paymentAmount +
    orderAmount + orderStatus + paymentMethod + paymentRefrenceNumber (or empty) + secureKey."""
    return sha256_signature(
        fawry_ref,
        merchant_ref,
        payment_amount,
        order_amount,
        order_status,
        payment_method,
        payment_reference_number or "",
        key=key,
    )
