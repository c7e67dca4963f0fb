"""Each FawryPay signature string, pinned for known inputs: the exact concatenation, then its digest."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from localgov_fawry import (
    cancel_signature,
    charge_signature,
    notification_signature,
    refund_signature,
    status_signature,
)

from localgov.payments import Secret, format_amount, sha256_signature

KEY = Secret("259af31fc2f74453b3a55739b21ae9ef")
MERCHANT = "1tSa6uxz2nRlhbmxHHde5A=="


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_charge_pay_at_fawry() -> None:
    signature = charge_signature(MERCHANT, "CZTN-2600001-3-01", "", "PAYATFAWRY", "450.00", "", KEY)
    assert signature == sha256(
        "1tSa6uxz2nRlhbmxHHde5A==CZTN-2600001-3-01PAYATFAWRY450.00259af31fc2f74453b3a55739b21ae9ef"
    )
    assert signature == "8dc39685f521c2c9660a9c863ff985b360c79595d3718dcfc8de88af0e397220"


def test_charge_card_token_follows_the_amount() -> None:
    signature = charge_signature(MERCHANT, "REF1", "777", "CARD", "1234.50", "tok_abc", KEY)
    assert signature == sha256("1tSa6uxz2nRlhbmxHHde5A==REF1777CARD1234.50tok_abc259af31fc2f74453b3a55739b21ae9ef")


def test_charge_wallet_number_follows_the_amount() -> None:
    signature = charge_signature(MERCHANT, "REF1", "", "MWALLET", "10.00", "01012345678", KEY)
    assert signature == sha256("1tSa6uxz2nRlhbmxHHde5A==REF1MWALLET10.0001012345678259af31fc2f74453b3a55739b21ae9ef")


def test_status_v2() -> None:
    assert status_signature(MERCHANT, "REF1", KEY) == sha256(
        "1tSa6uxz2nRlhbmxHHde5A==REF1259af31fc2f74453b3a55739b21ae9ef"
    )


def test_refund_with_and_without_a_reason() -> None:
    assert refund_signature(MERCHANT, "900000001", "100.00", "overcharged", KEY) == sha256(
        "1tSa6uxz2nRlhbmxHHde5A==900000001100.00overcharged259af31fc2f74453b3a55739b21ae9ef"
    )
    assert refund_signature(MERCHANT, "900000001", "100.00", None, KEY) == sha256(
        "1tSa6uxz2nRlhbmxHHde5A==900000001100.00259af31fc2f74453b3a55739b21ae9ef"
    )


def test_cancel_unpaid_order_starts_with_the_order_reference() -> None:
    assert cancel_signature("900000001", MERCHANT, "ar-eg", KEY) == sha256(
        "9000000011tSa6uxz2nRlhbmxHHde5A==ar-eg259af31fc2f74453b3a55739b21ae9ef"
    )


def test_notification_v2_with_and_without_an_outlet_reference() -> None:
    assert notification_signature(
        "900000001", "REF1", "455.00", "450.00", "PAID", "PayAtFawry", "7000001", KEY
    ) == sha256("900000001REF1455.00450.00PAIDPayAtFawry7000001259af31fc2f74453b3a55739b21ae9ef")
    assert notification_signature(
        "900000001", "REF1", "450.00", "450.00", "EXPIRED", "PAYATFAWRY", None, KEY
    ) == sha256("900000001REF1450.00450.00EXPIREDPAYATFAWRY259af31fc2f74453b3a55739b21ae9ef")


def test_signatures_are_lower_case_hex_sha256() -> None:
    signature = sha256_signature("a", "b", key=KEY)
    assert len(signature) == 64 and signature == signature.lower() and int(signature, 16) >= 0


@pytest.mark.parametrize(
    ("amount", "text"), [("450", "450.00"), ("450.5", "450.50"), ("0.01", "0.01"), ("1234567.89", "1234567.89")]
)
def test_amounts_enter_signatures_with_two_decimals(amount: str, text: str) -> None:
    assert format_amount(Decimal(amount)) == text
