"""An issued request to make documents from without running the engine (tests, benchmarks, docs)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from localgov.fees import FeeLine, Invoice
from localgov.i18n import LocalizedText
from localgov.requests.model import Applicant, AttachedDocument, Issued, Request
from localgov.tracking import TrackingNumber

__all__ = ["example_request"]

CAIRO = timezone(timedelta(hours=2))


def example_request(**changes: Any) -> Request:
    """The demo's building permit in Zeitoun as the engine leaves it once issued.

    A value, not an engine run, so tests, benchmarks and previews exercise the documents alone;
    ``changes`` replace fields (``issued=None``, ``missing="..."``).
    """
    documents = tuple(
        AttachedDocument(kind, hashlib.sha256(kind.encode()).hexdigest(), 600, "pdf", f"{kind}.pdf")
        for kind in ("national_id_copy", "ownership_proof", "site_validity_statement", "engineering_drawings")
    )
    values: dict[str, Any] = dict(  # noqa: C408 - reads like the Request's fields
        id=str(TrackingNumber.issue("CZTN", 2026, 1)),
        governorate="C",
        unit="zeitoun",
        service="building_permit",
        channel="front_desk",
        service_point="zeitoun_tc",
        applicant=Applicant("27803140123452", "محمد أحمد عبد الرحمن السيد", "+201012345678"),
        form={
            "applicant_capacity": "owner",
            "parcel_reference": "قطعة ١٢ بلوك ٤ — ZTN/12/4",
            "site_address": "١٢ شارع طومان باي، حي الزيتون، القاهرة",
            "floors": "5",
            "height_m": "16.5",
            "built_area": "240",
            "building_use": "residential",
            "estimated_cost": "2500000.00",
        },
        documents=documents,
        state="issued",
        version=9,
        submitted_at=datetime(2026, 11, 1, 9, 0, tzinfo=CAIRO),
        due_date=date(2026, 11, 26),
        invoice=Invoice((FeeLine("fee", "item", LocalizedText("رسم", "Fee"), Decimal("25241.00")),)),
        issued=Issued("2026/ZTN/000001", date(2026, 11, 5), date(2029, 11, 4)),
        access_code="ZG0WR2ZF9G",
        closed=True,
    )
    values.update(changes)
    return Request(**values)
