"""The reference building permit: the token size target, the demo's permit, the docs' example.

A four-part Arabic holder name, an Arabic address of about 35 characters, a parcel, and the
three figures of a building permit. Its QR code must fit version 14 at error-correction level Q.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from localgov.tokens.claims import PermitClaims

__all__ = ["REFERENCE_UNIT", "reference_building_permit"]

#: The unit code of the reference permit's issuer (Zeitoun district, Cairo).
REFERENCE_UNIT = "C-ZTN"


def reference_building_permit(issued_at: datetime | None = None) -> PermitClaims:
    """The reference building permit, issued at ``issued_at`` (default 2025-03-10 09:30 UTC)."""
    issued = issued_at or datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
    return PermitClaims(
        issuer=REFERENCE_UNIT,
        permit_number="2025/001234",
        kind="building_permit",
        holder_name="محمد أحمد عبد الرحمن السيد",
        issued_at=issued,
        expires_at=issued + timedelta(days=3 * 365),
        parcel="قطعة ٤٥ حوض الزيتون ٧",
        address="١٢ شارع الجمهورية، حي الزيتون، القاهرة",
        figures={"floors": 5, "height_m": "17.5", "built_area_m2": 240},
    )
