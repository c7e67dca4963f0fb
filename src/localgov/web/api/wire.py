"""What the API sends and receives, as msgspec structures: the OpenAPI document is generated from them.

Amounts travel as strings of pounds and piastres ("2500.00"), never as floats, so no client rounds
a fee. Every text a person reads comes in Arabic and English (:class:`Text`).
"""

from __future__ import annotations

import datetime
from typing import Any

import msgspec

from localgov.i18n import LocalizedText

__all__ = [
    "ActIn",
    "ActionOut",
    "ApplicantIn",
    "ApplicantOut",
    "AppliedRequestOut",
    "DocumentOut",
    "EventOut",
    "FeeLineOut",
    "IssuedOut",
    "PaymentIn",
    "PaymentInstructionOut",
    "ProblemDocument",
    "ProblemFieldOut",
    "RequestOut",
    "StatusOut",
    "StepOut",
    "SubmissionIn",
    "SubmittedOut",
    "Text",
    "text",
]


class Text(msgspec.Struct, frozen=True):
    """A text in Arabic and English."""

    ar: str
    en: str


def text(value: LocalizedText) -> Text:
    return Text(ar=value.ar, en=value.en)


class ProblemFieldOut(msgspec.Struct, frozen=True):
    name: str
    reason: str


class ProblemDocument(msgspec.Struct, frozen=True):
    """An RFC 9457 problem document (``application/problem+json``), as :mod:`localgov.web.problems` writes it."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldOut] = []


# ------------------------------------------------------------------ submitting


class ApplicantIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    national_id: str
    name: str
    mobile: str


class SubmissionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A request taken at a counter: the clerk is the caller, the applicant stands before them."""

    service: str
    unit: str
    applicant: ApplicantIn
    form: dict[str, str | list[str]]
    service_point: str | None = None
    #: ``front_desk`` (the default), ``mobile_unit`` or ``post_office``: the clerk's counter.
    channel: str = "front_desk"
    governorate: str | None = None


class SubmittedOut(msgspec.Struct, frozen=True):
    """A received request: the access code is shown this once, for the receipt."""

    tracking_number: str
    access_code: str
    state: str
    due_date: datetime.date
    receipt_url: str
    status_url: str


# ------------------------------------------------------------------ following (citizen)


class StepOut(msgspec.Struct, frozen=True):
    date: datetime.date
    name: Text


class PaymentInstructionOut(msgspec.Struct, frozen=True):
    """One open way to pay: a reference number at the provider's outlets, or its payment page."""

    provider: str
    amount: str
    reference_number: str | None
    pay_url: str | None
    expires_at: datetime.datetime | None
    how: Text


class StatusOut(msgspec.Struct, frozen=True):
    """What the holder of the access code sees: no personal data, no employee."""

    tracking_number: str
    service: Text
    step: str
    step_name: Text
    holder: Text
    department: Text | None
    closed: bool
    expected_date: datetime.date
    missing: str | None
    fees_due: str | None
    issued_number: str | None
    steps: list[StepOut]
    payments: list[PaymentInstructionOut]


class PaymentIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Which provider to pay what is due with, and how (``outlet``: a reference number to pay in cash)."""

    provider: str
    method: str = "outlet"


# ------------------------------------------------------------------ the back office


class ApplicantOut(msgspec.Struct, frozen=True):
    national_id: str
    name: str
    mobile: str


class DocumentOut(msgspec.Struct, frozen=True):
    type: str
    sha256: str
    size: int
    media_type: str
    filename: str | None


class FeeLineOut(msgspec.Struct, frozen=True):
    rule: str
    revenue_item: str
    name: Text
    amount: str


class IssuedOut(msgspec.Struct, frozen=True):
    number: str
    issued_on: datetime.date
    expires_on: datetime.date | None


class RequestOut(msgspec.Struct, frozen=True):
    """A request as the calling employee may see it (blind review: ``(hidden)`` for the applicant)."""

    id: str
    service: str
    governorate: str
    unit: str
    channel: str
    service_point: str | None
    state: str
    version: int
    submitted_at: datetime.datetime
    due_date: datetime.date
    state_due_date: datetime.date | None
    clock_paused_since: datetime.date | None
    assigned_to: str | None
    missing: str | None
    applicant: ApplicantOut
    form: dict[str, Any]
    documents: list[DocumentOut]
    fees: list[FeeLineOut]
    fees_total: str | None
    paid: str
    balance_due: str
    issued: IssuedOut | None
    reason: str | None
    closed: bool


class AppliedRequestOut(msgspec.Struct, frozen=True):
    """The request after an action or an upload, and whether this call acted or found it done."""

    request: RequestOut
    replayed: bool


class ActionOut(msgspec.Struct, frozen=True):
    code: str
    label: Text
    to: str
    requires_comment: bool
    duty: str | None


class ActIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An action on a request; ``expected_version`` is the version the employee decided on."""

    action: str
    expected_version: int
    comment: str | None = None
    role: str | None = None


class EventOut(msgspec.Struct, frozen=True):
    seq: int
    at: datetime.datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str
    comment: str | None
    data: dict[str, Any]
    hash: str
