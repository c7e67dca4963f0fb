"""Receiving a request over HTTP, from Open311 or the localgov API alike: who takes it, through which
channel, and the retried POST recognised by its ``Idempotency-Key``.

A caller without a key is the applicant on the portal (the engine's citizen actor); an employee
submits at their counter (front desk, mobile unit, post office), never on the portal for someone
else. Every check of the submission itself is the engine's, as from the command line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Any

import attrs
from litestar.params import HeaderParameter

from localgov.organisation import StaffMember
from localgov.requests import Applicant, Request
from localgov.tokens.receipt import receipt_link
from localgov.web.api.wire import SubmittedOut
from localgov.web.context import WebContext
from localgov.web.problems import InvalidInput

__all__ = ["IdempotencyHeader", "Submission", "caller_key", "submit", "submitted"]

IdempotencyHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="Retrying a POST with the same key never makes a second request or acts twice",
        max_length=200,
    ),
]


@attrs.frozen
class Submission:
    """A submission as read from the wire, before the engine checks it."""

    service: str
    unit: str
    applicant: Applicant
    form: Mapping[str, Any]
    channel: str | None = None
    service_point: str | None = None
    governorate: str | None = None
    #: How the caller named the service field (Open311: ``service_code``), for the problem document.
    service_field: str = "service"


def caller_key(kind: str, caller: str, key: str | None) -> str | None:
    """The idempotency key as stored: the client's key scoped to the caller and the operation.

    Two callers choosing the same key (``"1"``, say) must not see each other's request, so the
    stored key is a digest of the operation, the caller and their key (and fits the store's column).
    """
    if key is None:
        return None
    if not key or not key.isascii() or not key.isprintable():
        raise InvalidInput({"Idempotency-Key": "expected 1 to 200 printable ASCII characters"})
    digest = hashlib.sha256(f"{kind}\0{caller}\0{key}".encode()).hexdigest()
    return f"{kind}:{digest}"


def submit(
    context: WebContext, submission: Submission, caller: StaffMember | None, idempotency_key: str | None
) -> Request:
    """Submit through the engine: on the portal for the public, at the employee's counter otherwise."""
    if submission.service not in context.engine.catalogue.services:
        raise InvalidInput({submission.service_field: f"لا توجد خدمة بهذا الرمز / no service {submission.service!r}"})
    if caller is None:
        if submission.channel not in (None, "portal") or submission.service_point is not None:
            raise InvalidInput({"channel": "only an employee submits at a counter: without an API key, the portal"})
        channel, point = "portal", None
        key = caller_key("submit", f"citizen:{submission.applicant.national_id}", idempotency_key)
    else:
        channel = submission.channel or "front_desk"
        if channel == "portal":
            raise InvalidInput({"channel": "an employee submits at a counter (front_desk, mobile_unit, post_office)"})
        point = submission.service_point or _counter_of(context, caller, channel)
        key = caller_key("submit", caller.id, idempotency_key)
    return context.engine.submit(
        submission.service,
        unit=submission.unit,
        applicant=submission.applicant,
        form=submission.form,
        channel=channel,
        actor=caller,
        service_point=point,
        governorate=submission.governorate,
        idempotency_key=key,
    )


def submitted(context: WebContext, request: Request) -> SubmittedOut:
    base = context.settings.public_url.rstrip("/")
    return SubmittedOut(
        tracking_number=request.id,
        access_code=request.access_code,
        state=request.state,
        due_date=request.due_date,
        receipt_url=receipt_link(base, request.id, request.access_code),
        status_url=f"{base}/api/v1/requests/{request.id}/status",
    )


def _counter_of(context: WebContext, caller: StaffMember, channel: str) -> str | None:
    """The employee's own service point for ``channel`` when their unit has exactly one of that kind;
    otherwise None, and the engine asks for it by name."""
    defined = context.engine.catalogue.channels.get(channel)
    kind = defined.service_point if defined is not None else None
    points = [
        point.code
        for governorate in context.engine.organisation.values()
        for point in governorate.service_points.values()
        if point.unit == caller.unit and point.kind.value == kind
    ]
    return points[0] if len(points) == 1 else None
