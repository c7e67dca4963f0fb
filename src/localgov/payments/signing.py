"""Signature helpers shared by providers: hex SHA-256 of a concatenation, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

from localgov.payments.secrets import Secret

__all__ = ["sha256_signature", "signatures_match"]


def sha256_signature(*parts: str, key: Secret) -> str:
    """Lower-case hex SHA-256 of ``parts`` concatenated, then the key (Fawry's scheme)."""
    return hashlib.sha256(("".join(parts) + key.reveal()).encode("utf-8")).hexdigest()


def signatures_match(expected: str, received: object) -> bool:
    """Compare in constant time; anything that is not a string never matches. Hex case is ignored."""
    if not isinstance(received, str):
        return False
    return hmac.compare_digest(expected.lower().encode("utf-8"), received.strip().lower().encode("utf-8", "replace"))
