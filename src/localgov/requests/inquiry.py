"""Answering a status inquiry sent by SMS: "<tracking number> <access code>" in, a short reply out.

The citizen types the two codes printed on the receipt, in any case, with Eastern Arabic digits
and spaces as phones produce them. The reply fits one Arabic SMS (70 UCS-2 characters) where it
can, and never reveals whether a tracking number exists when the access code is wrong.
"""

from __future__ import annotations

import re

from localgov.i18n import LocalizedText, to_eastern_digits, to_western_digits
from localgov.requests.engine import Engine
from localgov.requests.errors import UnknownRequest
from localgov.tracking import InvalidTrackingNumber, TrackingNumber

__all__ = ["answer_sms_inquiry"]

MAX_MESSAGE = 160
_CODE = re.compile(r"[A-Za-z0-9]{10}")

NOT_FOUND = LocalizedText(
    "لم نجد طلبًا بهذا الرقم ورمز الاستعلام. راجع الإيصال وأعد الإرسال: رقم الطلب ثم الرمز",
    "No request matches this number and code. Check the receipt and send: number, then code",
)


def answer_sms_inquiry(engine: Engine, message: str) -> LocalizedText:
    """The reply to an SMS inquiry, in Arabic (with Eastern Arabic digits) and English."""
    text = to_western_digits(message[:MAX_MESSAGE]).strip()
    words = text.replace("،", " ").replace(",", " ").split()
    if len(words) < 2:
        return NOT_FOUND
    code = words[-1]
    try:
        tracking = str(TrackingNumber.parse(" ".join(words[:-1])))
    except InvalidTrackingNumber:
        return NOT_FOUND
    if not _CODE.fullmatch(code):
        return NOT_FOUND
    try:
        status = engine.status(tracking, code)
    except UnknownRequest:
        return NOT_FOUND
    expected = status.expected_date.isoformat()
    arabic = f"طلب {tracking}: {status.state.ar}"
    english = f"Request {tracking}: {status.state.en}"
    if status.missing:
        arabic += f". مطلوب: {status.missing}"
        english += f". Missing: {status.missing}"
    elif not status.closed:
        arabic += f". الموعد المتوقع {expected}"
        english += f". Expected by {expected}"
    return LocalizedText(to_eastern_digits(arabic), english)
