"""Identity documents citizens present at the one window.

Only the Egyptian national ID number (الرقم القومي) for now: parsing, validation and masking.
"""

from localgov.identity.national_id import (
    BORN_ABROAD_CODE,
    Gender,
    InvalidNationalId,
    NationalId,
    compose_national_id,
    compute_check_digit,
    parse_national_id,
)

__all__ = [
    "BORN_ABROAD_CODE",
    "Gender",
    "InvalidNationalId",
    "NationalId",
    "compose_national_id",
    "compute_check_digit",
    "parse_national_id",
]
