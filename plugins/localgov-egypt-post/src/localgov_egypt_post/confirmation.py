"""The counter's confirmation: the message the post office's counter system sends when a fee is collected.

Egypt Post publishes no integration API (``shared/research/providers.md``), so this message is
localgov's side of an agreement to be made with Egypt Post, kept small: a JSON object, UTF-8, with
the fields of :data:`FIELDS`, signed with HMAC-SHA256 under a key the two sides share; the
lower-case hex signature travels in the ``X-Egypt-Post-Signature`` header. The whole body is
signed, so no byte of it can change unseen.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from localgov.payments import Secret, signatures_match

__all__ = ["FIELDS", "SIGNATURE_HEADER", "sign", "verify"]

SIGNATURE_HEADER = "X-Egypt-Post-Signature"

#: Every field of a confirmation, all required: the post office's receipt number, localgov's
#: payment code (what the clerk typed), localgov's merchant reference, the amount collected
#: ("450.00"), the currency, the status (``PAID``), the service point code of the office, the
#: counter clerk's id and when the fee was collected (ISO 8601 with its offset).
FIELDS = (
    "receipt",
    "payment_code",
    "merchant_ref",
    "amount",
    "currency",
    "status",
    "office",
    "clerk",
    "collected_at",
)


def sign(body: bytes, key: Secret) -> str:
    return hmac.new(key.reveal().encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], key: Secret) -> bool:
    """Whether ``body`` carries a valid signature (compared in constant time; header names in any case)."""
    received = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
    return signatures_match(sign(body, key), received)
