"""Object identifiers localgov defines, under one private placeholder arc.

localgov has no registered arc of its own yet, so it uses a UUID-based arc (ITU-T X.667,
``2.25.<UUID as an integer>``): anyone may mint one without registration and it cannot collide
with anybody else's. A national deployment should replace :data:`LOCALGOV_ARC` with an arc
assigned by the Egyptian national PKI authority and reissue its certificates; nothing else in
localgov depends on the number.
"""

from __future__ import annotations

from cryptography.x509 import ObjectIdentifier

__all__ = [
    "EKU_DEVICE_SIGNING",
    "EKU_PERMIT_SIGNING",
    "EKU_TRUST_LIST_SIGNING",
    "LOCALGOV_ARC",
    "PERMIT_KINDS_EXTENSION",
]

#: UUID f8524883-f1ab-40bc-abbb-a3a687201ccd as an OID arc (placeholder, see module doc).
LOCALGOV_ARC = "2.25.330075782084232664028498117607865457869"

#: Non-critical extension: SEQUENCE OF UTF8String, the permit kinds a certificate may sign.
PERMIT_KINDS_EXTENSION = ObjectIdentifier(f"{LOCALGOV_ARC}.1")
#: Extended key usage of a unit's document-signing certificate (permit tokens and PDFs).
EKU_PERMIT_SIGNING = ObjectIdentifier(f"{LOCALGOV_ARC}.2")
#: Extended key usage of a certificate that signs trust lists and revocation lists.
EKU_TRUST_LIST_SIGNING = ObjectIdentifier(f"{LOCALGOV_ARC}.3")
#: Extended key usage of a field device's certificate (a mobile district's tablet): it signs the
#: submissions it takes offline and their provisional receipts, never a permit or a list.
EKU_DEVICE_SIGNING = ObjectIdentifier(f"{LOCALGOV_ARC}.4")
