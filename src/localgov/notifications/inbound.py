"""Answering the SMS a citizen sends the short code: a status inquiry, or STOP / START.

"<tracking number> <access code>" gets the inquiry reply (:func:`localgov.requests.inquiry.
answer_sms_inquiry`), which says nothing about a request unless both are right. Guessing access
codes by SMS is slowed twice over: each sender, and each tracking number whoever asks about it,
gets ``limit`` inquiries per ``window_seconds``; past that, no reply at all (a reply would cost the
governorate a message and tell the guesser the limit).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from localgov.i18n import Language, to_western_digits
from localgov.limits import AttemptLimit, MemoryAttemptLimit, allow
from localgov.phone import InvalidMobileNumber, normalise_mobile
from localgov.requests import Engine
from localgov.requests.inquiry import answer_sms_inquiry
from localgov.storage import SqlOutbox

__all__ = ["InboundHandler"]

STOP_WORDS = frozenset({"STOP", "ايقاف", "إيقاف", "الغاء", "إلغاء"})
START_WORDS = frozenset({"START", "تفعيل"})
STOPPED = {
    "ar": "لن تصلك رسائل إعلامية بعد الآن. ستصلك فقط الرسائل التي تطلب منك شيئًا أو تبلغك بقرار. أرسل START للعودة",
    "en": "You will get no more informational messages, only those asking you for something or telling a decision. Send START to resume",
}
STARTED = {"ar": "ستصلك رسائل متابعة طلباتك من جديد", "en": "You will get messages about your requests again"}


class InboundHandler:
    """The reply to each SMS the short code receives (``None``: send none)."""

    def __init__(
        self,
        engine: Engine,
        outbox: SqlOutbox,
        *,
        language: Language = "ar",
        limit: int = 5,
        window_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        per_sender: AttemptLimit | None = None,
        per_request: AttemptLimit | None = None,
    ) -> None:
        self._engine, self._outbox, self._language = engine, outbox, language
        # In this process unless given limits shared with other receivers (SqlAttemptLimit).
        self._per_sender = per_sender or MemoryAttemptLimit(limit, window_seconds, clock=clock)
        self._per_request = per_request or MemoryAttemptLimit(limit, window_seconds, clock=clock)

    def answer(self, sender: str, text: str) -> str | None:
        try:
            phone = normalise_mobile(sender)
        except InvalidMobileNumber:
            return None  # not a citizen's mobile (an operator's service number): nothing to say
        words = to_western_digits(text[:160]).upper().split()
        if len(words) == 1 and words[0] in STOP_WORDS:
            self._outbox.opt_out(phone, datetime.datetime.now(datetime.UTC).isoformat())
            return STOPPED[self._language]
        if len(words) == 1 and words[0] in START_WORDS:
            self._outbox.opt_in(phone)
            return STARTED[self._language]
        if not allow(self._per_sender, phone):
            return None
        # Everything before the code: the tracking number, however it was typed.
        if len(words) >= 2 and not allow(self._per_request, "".join(words[:-1]).replace("-", "")):
            return None
        reply = answer_sms_inquiry(self._engine, text)
        return reply.ar if self._language == "ar" else reply.en
