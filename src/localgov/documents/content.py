"""What each document says, gathered from a request, its service and its unit.

The templates draw these values and nothing else, so they can be tested (and previewed) without
an engine, and a verifier can compare a permit's printed facts with its signed token.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

import attrs

from localgov.catalogue import Catalogue, ServiceDefinition
from localgov.documents.errors import DocumentError
from localgov.i18n import LocalizedText
from localgov.organisation import Governorate, LocalUnit
from localgov.requests.model import Request
from localgov.tokens import PermitClaims
from localgov.tokens.short_codes import KIND_LABELS

__all__ = [
    "NoticeContent",
    "NoticeKind",
    "PermitContent",
    "ReceiptContent",
    "notice_content",
    "permit_content",
    "permit_title",
    "receipt_content",
]

NoticeKind = Literal["missing_documents", "rejection"]


@attrs.frozen
class ReceiptContent:
    """نموذج استلام الخدمة: what the applicant takes home when a request is received."""

    tracking_number: str
    access_code: str
    service: LocalizedText
    received_on: datetime.date
    expected_by: datetime.date
    applicant_name: str
    documents: tuple[LocalizedText, ...]
    governorate: Governorate = attrs.field(repr=False)
    unit: LocalUnit = attrs.field(repr=False)
    service_point: LocalizedText | None = None
    estimated_fees: Decimal | None = None


@attrs.frozen
class PermitContent:
    """The issued permit, licence or statement: the signed token's facts, and a few more."""

    claims: PermitClaims
    title: LocalizedText
    tracking_number: str
    governorate: Governorate = attrs.field(repr=False)
    unit: LocalUnit = attrs.field(repr=False)
    issued_on: datetime.date
    expires_on: datetime.date | None = None


@attrs.frozen
class NoticeContent:
    """A notice of missing documents (the request waits for them) or of a rejection."""

    kind: NoticeKind
    tracking_number: str
    service: LocalizedText
    applicant_name: str
    dated: datetime.date
    reason: str
    governorate: Governorate = attrs.field(repr=False)
    unit: LocalUnit = attrs.field(repr=False)
    missing: tuple[LocalizedText, ...] = ()


def _place(organisation: Mapping[str, Governorate], request: Request) -> tuple[Governorate, LocalUnit]:
    governorate = organisation.get(request.governorate)
    if governorate is None:
        raise DocumentError(f"request {request.id}: governorate {request.governorate!r} is not loaded")
    return governorate, governorate.unit(request.unit)


def receipt_content(
    catalogue: Catalogue,
    organisation: Mapping[str, Governorate],
    request: Request,
    *,
    received_on: datetime.date | None = None,
) -> ReceiptContent:
    governorate, unit = _place(organisation, request)
    service = catalogue.service(request.service, request.governorate)
    point = governorate.service_points.get(request.service_point or "")
    return ReceiptContent(
        tracking_number=request.id,
        access_code=request.access_code,
        service=service.name,
        received_on=received_on or request.submitted_at.date(),
        expected_by=request.due_date,
        applicant_name=request.applicant.name,
        documents=tuple(_document_name(catalogue, d.type) for d in request.documents),
        governorate=governorate,
        unit=unit,
        service_point=point.name if point is not None else None,
        estimated_fees=request.invoice.total if request.invoice is not None else None,
    )


def _document_name(catalogue: Catalogue, code: str) -> LocalizedText:
    document_type = catalogue.document_types.get(code)
    return document_type.name if document_type is not None else LocalizedText(code, code)


def permit_title(service: ServiceDefinition, kind: str) -> LocalizedText:
    return KIND_LABELS.get(kind, service.name)


def permit_content(
    catalogue: Catalogue, organisation: Mapping[str, Governorate], request: Request, claims: PermitClaims
) -> PermitContent:
    if request.issued is None:
        raise DocumentError(f"request {request.id} has not been issued")
    governorate, unit = _place(organisation, request)
    service = catalogue.service(request.service, request.governorate)
    return PermitContent(
        claims=claims,
        title=permit_title(service, claims.kind),
        tracking_number=request.id,
        governorate=governorate,
        unit=unit,
        issued_on=request.issued.issued_on,
        expires_on=request.issued.expires_on,
    )


def notice_content(
    catalogue: Catalogue,
    organisation: Mapping[str, Governorate],
    request: Request,
    *,
    dated: datetime.date | None = None,
) -> NoticeContent:
    """The notice a request's current state calls for: missing documents, or a rejection."""
    governorate, unit = _place(organisation, request)
    service = catalogue.service(request.service, request.governorate)
    if request.missing:
        kind: NoticeKind = "missing_documents"
        reason = request.missing
    elif request.closed and request.issued is None:
        kind = "rejection"
        reason = request.reason or ""
    else:
        raise DocumentError(f"request {request.id} ({request.state}) is neither waiting for documents nor rejected")
    missing = tuple(_document_name(catalogue, code) for code in _missing_types(catalogue, service, request))
    return NoticeContent(
        kind=kind,
        tracking_number=request.id,
        service=service.name,
        applicant_name=request.applicant.name,
        dated=dated or datetime.date.today(),
        reason=reason,
        governorate=governorate,
        unit=unit,
        missing=missing if kind == "missing_documents" else (),
    )


def _missing_types(catalogue: Catalogue, service: ServiceDefinition, request: Request) -> list[str]:
    supplied = {d.type for d in request.documents}
    return [kind for kind in service.required_documents(request.form) if kind not in supplied]
