"""Shared test data for the lifecycle engine: Zeitoun's staff, an applicant, a building permit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from localgov import Localgov
from localgov.identity import compose_national_id
from localgov.organisation import StaffMember
from localgov.requests import DocumentUpload, Engine
from localgov.requests.model import Applicant, Request
from localgov.storage import SqlStore

CAIRO = ZoneInfo("Africa/Cairo")
PDF = b"%PDF-1.4\n% localgov test document\n"
JPEG = b"\xff\xd8\xff\xe0 localgov test image"

APPLICANT_ID = compose_national_id(datetime.date(1980, 5, 17), "01", 1234)
APPLICANT = Applicant(APPLICANT_ID, "محمد أحمد علي حسن", "01012345678")


def member(staff_id: str, *roles: str, unit: str = "zeitoun", national_id: str | None = None) -> StaffMember:
    return StaffMember(staff_id, staff_id.title(), unit, frozenset(roles), national_id=national_id)


CLERK = member("clerk1", "front_desk_clerk")
CLERK2 = member("clerk2", "front_desk_clerk")
CHECKER = member("doc1", "document_checker")
CHECKER2 = member("doc2", "document_checker")
ENGINEER = member("eng1", "engineer", "approver")
INSPECTOR = member("insp1", "field_inspector")
ASSESSOR = member("fee1", "fee_assessor")
APPROVER = member("head1", "approver")
ISSUER = member("iss1", "issuer")
ALLOCATOR = member("alloc1", "burial_allocation_officer")
# Someone holding every back-office role at another district.
ELSEWHERE = member("far1", "document_checker", "engineer", "approver", unit="heliopolis")

STAFF = (
    CLERK,
    CLERK2,
    CHECKER,
    CHECKER2,
    ENGINEER,
    INSPECTOR,
    ASSESSOR,
    APPROVER,
    ISSUER,
    ALLOCATOR,
    ELSEWHERE,
)

BUILDING_FORM: dict[str, Any] = {
    "applicant_capacity": "owner",
    "parcel_reference": "ZTN/12/345",
    "site_address": "١٢ شارع طومان باي، الزيتون",
    "floors": "5",
    "height_m": "15",
    "built_area": "240",
    "building_use": "residential",
    "estimated_cost": "2500000",
}
ALL_BUILDING_DOCUMENTS = (
    "national_id_copy",
    "ownership_proof",
    "site_validity_statement",
    "engineering_drawings",
    "supervising_engineer_undertaking",
)


def cairo_time(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=CAIRO)


def pdfs(*types: str) -> list[DocumentUpload]:
    return [DocumentUpload(t, PDF + t.encode(), "pdf") for t in types]


@cache
def cairo() -> Localgov:
    """One application for the whole run: loading the catalogue is the slow part."""
    return Localgov(plugins=["cairo"])


def open_engine(
    url: str, *, staff: Iterable[StaffMember] = STAFF, app: Localgov | None = None, **options: Any
) -> Engine:
    durable = options.pop("durable", True)
    store = SqlStore.open(url, durable=durable)
    return (app or cairo()).engine(store, staff=staff, **options)


def submit_building_permit(
    engine: Engine,
    *,
    documents: Iterable[str] = ALL_BUILDING_DOCUMENTS,
    uploads: Iterable[DocumentUpload] | None = None,
    at: datetime.datetime | None = None,
    **overrides: Any,
) -> Request:
    arguments: dict[str, Any] = {
        "unit": "zeitoun",
        "channel": "front_desk",
        "service_point": "zeitoun_tc",
        "actor": CLERK,
        "applicant": APPLICANT,
        "form": BUILDING_FORM,
        "documents": pdfs(*documents) if uploads is None else list(uploads),
        "at": at,
    }
    arguments.update(overrides)
    return engine.submit("building_permit", **arguments)
