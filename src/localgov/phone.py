"""Egyptian mobile numbers: +20 1X XXXX XXXX, on the 010, 011, 012 and 015 networks."""

from __future__ import annotations

import re

from localgov.errors import LocalgovError
from localgov.i18n import to_western_digits

__all__ = ["InvalidMobileNumber", "normalise_mobile"]

NETWORK_PREFIXES = ("10", "11", "12", "15")
_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f\u061c]")


class InvalidMobileNumber(LocalgovError, ValueError):
    pass


def normalise_mobile(text: str) -> str:
    """Return the number in E.164 form (``+201012345678``) or raise :class:`InvalidMobileNumber`.

    Accepts the ways people write it: ``01012345678``, ``+20 10 1234 5678``, ``00201012345678``,
    with Eastern Arabic digits, spaces, dashes or brackets.
    """
    if not isinstance(text, str) or len(text) > 40:
        raise InvalidMobileNumber(f"expected an Egyptian mobile number, got {text!r:.50}")
    compact = _SEPARATORS.sub("", to_western_digits(text))
    for prefix in ("+20", "0020", "20"):
        if compact.startswith(prefix) and len(compact) == len(prefix) + 10:
            compact = "0" + compact[len(prefix) :]
            break
    if not (len(compact) == 11 and compact.isascii() and compact.isdigit() and compact.startswith("01")):
        raise InvalidMobileNumber(f"expected an Egyptian mobile number such as 01012345678, got {text!r}")
    if compact[1:3] not in NETWORK_PREFIXES:
        raise InvalidMobileNumber(f"{text!r} is not on an Egyptian mobile network (010, 011, 012, 015)")
    return "+20" + compact[1:]
