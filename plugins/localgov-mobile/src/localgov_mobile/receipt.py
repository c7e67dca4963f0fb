"""The provisional receipt a tablet hands over at the visit, with its own device-signed QR code.

It is provisional: the request gets its tracking number when the tablet syncs. The QR text is
``LGM1:`` followed by the Base45 of a COSE_Sign1 by the device's key (``kid``: the device
certificate's key id) over the CBOR map::

    1 "localgov-mobile-receipt"   2 device id   3 sequence   4 receipt number
    5 service   6 unit   7 taken at (NumericDate, the device's clock)   8 fee estimate so far (text, EGP)

No personal data is in it: the receipt proves to the applicant, and to the district afterwards,
that this device took this request at that visit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.i18n import LocalizedText
from localgov.tokens import cbor, cose
from localgov.tokens.base45 import Base45Error, b45decode, b45encode
from localgov.tokens.errors import TokenError
from localgov_mobile.errors import WireError
from localgov_mobile.wire import decode_map, numeric_date

__all__ = ["RECEIPT_PREFIX", "ProvisionalReceipt", "read_receipt"]

RECEIPT_PREFIX = "LGM1:"
RECEIPT_TYPE = "localgov-mobile-receipt"


@attrs.frozen
class ProvisionalReceipt:
    device_id: str
    sequence: int
    number: str
    service: str
    service_name: LocalizedText
    unit: str
    taken_at: datetime
    estimate: Decimal
    estimate_complete: bool
    qr_text: str = ""

    def payload(self) -> dict[int, object]:
        return {
            1: RECEIPT_TYPE,
            2: self.device_id,
            3: self.sequence,
            4: self.number,
            5: self.service,
            6: self.unit,
            7: numeric_date(self.taken_at),
            8: str(self.estimate),
        }

    def signed(self, key: ec.EllipticCurvePrivateKey, kid: bytes) -> ProvisionalReceipt:
        text = RECEIPT_PREFIX + b45encode(cose.sign(cbor.encode(self.payload()), key, kid=kid))
        return attrs.evolve(self, qr_text=text)

    def lines(self) -> list[str]:
        """The receipt as printed, Arabic and English."""
        more = "" if self.estimate_complete else " (حد أدنى / at least)"
        return [
            f"إيصال مؤقت / Provisional receipt: {self.number}",
            f"الخدمة / Service: {self.service_name.bilingual()}",
            f"الجهاز / Device: {self.device_id}   التسلسل / Sequence: {self.sequence}",
            f"وقت الزيارة / Taken at: {self.taken_at.isoformat()}",
            f"الرسوم التقديرية / Estimated fees: EGP {self.estimate}{more}",
            "رقم الطلب يصلك برسالة بعد المزامنة / The tracking number follows by SMS once the tablet syncs",
        ]


def read_receipt(text: str, device: x509.Certificate) -> dict[int, object]:
    """Verify a provisional receipt's QR text against the device certificate; return its map."""
    if not isinstance(text, str) or not text.startswith(RECEIPT_PREFIX):
        raise WireError(f"a provisional receipt's QR text starts with {RECEIPT_PREFIX}")
    try:
        message = b45decode(text[len(RECEIPT_PREFIX) :])
        payload = cose.verify(message, device)
    except (Base45Error, TokenError) as error:
        raise WireError(f"provisional receipt: {error}") from None
    return decode_map(payload, RECEIPT_TYPE).value
