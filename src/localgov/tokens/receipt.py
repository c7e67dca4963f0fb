"""The receipt QR: a link with which the applicant follows a request.

``{portal}/track/{tracking number}?c={access code}``. It carries no personal data: the tracking
number alone shows nothing, and the access code, printed only on the applicant's receipt, is what
lets the portal, the SMS inquiry or a call centre show the request's status. Codes use Crockford's
Base32 alphabet (no I, L, O, U), so they survive being read aloud or typed on a phone; ten
characters give 50 random bits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs, quote, unquote, urlsplit

from localgov.errors import LocalgovError

__all__ = [
    "ACCESS_CODE_ALPHABET",
    "ACCESS_CODE_LENGTH",
    "ReceiptLinkError",
    "access_code_digest",
    "check_access_code",
    "check_access_code_digest",
    "new_access_code",
    "normalise_access_code",
    "parse_receipt_link",
    "receipt_link",
]

ACCESS_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ACCESS_CODE_LENGTH = 10
# What people type for the letters Crockford's alphabet leaves out.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
_MAX_INPUT = 64


class ReceiptLinkError(LocalgovError):
    """A portal base URL or a receipt link is not usable."""


def new_access_code() -> str:
    """A fresh random access code (from :mod:`secrets`).

    The alphabet has 32 symbols, so each character is 5 uniform bits of one draw from the OS
    (one call instead of one per character: every submission makes a code).
    """
    bits = secrets.randbits(5 * ACCESS_CODE_LENGTH)
    return "".join(ACCESS_CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(ACCESS_CODE_LENGTH))


def normalise_access_code(code: str) -> str:
    """Upper case, dashes and blanks dropped, O read as 0 and I, L as 1."""
    return code[:_MAX_INPUT].upper().translate(_LOOKALIKES)


def check_access_code(given: str, expected: str) -> bool:
    """Whether ``given`` (as typed) is ``expected``, compared in constant time."""
    return hmac.compare_digest(
        normalise_access_code(given).encode("utf-8"),
        normalise_access_code(expected).encode("utf-8"),
    )


def access_code_digest(code: str) -> str:
    """SHA-256 (hex) of the normalised code, for systems that store a digest instead of the code."""
    return hashlib.sha256(normalise_access_code(code).encode("utf-8")).hexdigest()


def check_access_code_digest(given: str, digest: str) -> bool:
    """Whether ``given`` matches a stored :func:`access_code_digest`, in constant time."""
    return hmac.compare_digest(access_code_digest(given).encode(), digest.lower().encode())


def _check_base(portal_base_url: str) -> str:
    parts = urlsplit(portal_base_url)
    local = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ReceiptLinkError(f"portal base URL {portal_base_url!r} must use https")
    if not parts.netloc or parts.query or parts.fragment:
        raise ReceiptLinkError(f"portal base URL {portal_base_url!r} needs a host and no query")
    return portal_base_url.rstrip("/")


def receipt_link(portal_base_url: str, tracking_number: str, access_code: str) -> str:
    """The link printed as the receipt's QR code."""
    if not tracking_number.strip():
        raise ReceiptLinkError("tracking number must not be empty")
    code = normalise_access_code(access_code)
    if not code or set(code) - set(ACCESS_CODE_ALPHABET):
        raise ReceiptLinkError("access code must use the Crockford Base32 alphabet")
    base = _check_base(portal_base_url)
    return f"{base}/track/{quote(tracking_number, safe='')}?c={code}"


def parse_receipt_link(link: str) -> tuple[str, str]:
    """``(tracking number, access code)`` from a receipt link (for the status page and tests)."""
    parts = urlsplit(link[:2048])
    path = parts.path.rstrip("/")
    marker = path.rfind("/track/")
    codes = parse_qs(parts.query).get("c", [])
    if marker < 0 or len(codes) != 1:
        raise ReceiptLinkError("not a receipt link: expected .../track/<number>?c=<code>")
    raw_number = path[marker + len("/track/") :]
    tracking_number = unquote(raw_number)
    if not tracking_number or "/" in raw_number:
        raise ReceiptLinkError("receipt link has no tracking number")
    return tracking_number, normalise_access_code(codes[0])
