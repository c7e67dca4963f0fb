"""Staff of two Cairo districts and the letters between them, for the correspondence tests."""

from __future__ import annotations

import datetime
from typing import Any

from localgov.correspondence import Correspondence, Party
from localgov.organisation import StaffMember
from localgov.requests import Engine
from localgov.storage import SqlLetterStore
from localgov.testing.pki import TestPki
from tests.requests.support import CAIRO, cairo

# Zeitoun's engineering department writes to Matareya's planning department, which answers.
WRITER = StaffMember("zt-eng1", "سامي", "zeitoun", {"engineer"}, department="engineering")
WRITER2 = StaffMember("zt-eng2", "هالة", "zeitoun", {"engineer"}, department="engineering")
ZT_CLERK = StaffMember("zt-clerk", "منى", "zeitoun", {"front_desk_clerk"}, department=None)
PLANNER = StaffMember("mt-plan1", "نادية", "matareya", {"engineer"}, department="planning")
MT_LICENSING = StaffMember("mt-lic1", "عمرو", "matareya", {"engineer"}, department="licensing")
MT_REVENUE = StaffMember("mt-rev1", "فريدة", "matareya", {"fee_assessor"}, department="revenue")
HELIOPOLIS = StaffMember("hl-plan1", "رامي", "heliopolis", {"engineer"}, department="planning")

TO_PLANNING = Party("C", "matareya", "planning")
TO_ZEITOUN_ENGINEERING = Party("C", "zeitoun", "engineering")


def at(day: int, hour: int = 10, month: int = 3) -> datetime.datetime:
    """A moment of March 2026 in Cairo."""
    return datetime.datetime(2026, month, day, hour, tzinfo=CAIRO)


def open_correspondence(
    url: str, pki: TestPki, *, engine: Engine | None = None, audit_key: bytes = b"test key", **options: Any
) -> Correspondence:
    signers = {"C-ZTN": pki.signer, "C-MTR": pki.issue_signer("C-MTR")}
    store = SqlLetterStore.open(url) if engine is None else None
    return cairo().correspondence(
        store,
        engine=engine,
        signers=signers,
        chain=(pki.governorate_ca.certificate, pki.root.certificate),
        audit_key=audit_key,
        **options,
    )
