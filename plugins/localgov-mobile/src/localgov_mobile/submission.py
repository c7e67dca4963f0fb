"""A submission taken offline, as the tablet signs it and the server reads it.

A COSE_Sign1 by the device's key (ES256; ``kid`` in the protected header is the device
certificate's key id, :func:`localgov.pki.kid_of`). Payload, a CBOR map::

    1 "localgov-mobile-submission"   2 format version (1)
    3 device id                      4 sequence (1, 2, 3... per device, no gaps)
    5 idempotency key (text)         6 bundle sequence    7 bundle digest (32 bytes)
    8 taken at (NumericDate, the device's clock)
    9 service    10 unit    11 service point    12 clerk (staff id)
    13 applicant [national id, name, mobile]
    14 form {field name: text | integer | [texts]}   (the form as the tablet normalised it)
    15 documents [[type, media type, SHA-256 (32 bytes), content], ...]
    16 provisional receipt number (text)

The documents travel whole: a photo is content-addressed on the tablet (its SHA-256) and the
server checks that the content is the one named before anything is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.requests import DocumentUpload
from localgov.requests.model import Applicant
from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError
from localgov_mobile.errors import WireError
from localgov_mobile.wire import decode_map, numeric_date

__all__ = ["SUBMISSION_TYPE", "Photo", "Submission", "open_submission", "read_submission", "signed_message"]

SUBMISSION_TYPE = "localgov-mobile-submission"
FORMAT_VERSION = 1
MAX_DOCUMENTS = 20
MAX_DOCUMENT = 10 * 1024 * 1024
MAX_FIELDS = 100


@attrs.frozen
class Photo:
    """A document photographed on the tablet, named by the SHA-256 of its content."""

    type: str
    media_type: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")

    @property
    def sha256(self) -> bytes:
        return hashlib.sha256(self.content).digest()

    def upload(self) -> DocumentUpload:
        return DocumentUpload(self.type, self.content, self.media_type)


def _form_value(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= 2000
    if type(value) is int:
        return True
    return isinstance(value, list) and len(value) <= 100 and all(isinstance(v, str) and len(v) <= 200 for v in value)


@attrs.frozen
class Submission:
    """What one visit produced: the request as the server will receive it."""

    device_id: str
    sequence: int
    idempotency_key: str
    bundle_sequence: int
    bundle_digest: bytes
    taken_at: datetime
    service: str
    unit: str
    service_point: str
    clerk: str
    applicant: Applicant
    form: Mapping[str, Any]
    documents: tuple[Photo, ...]
    receipt_number: str

    def to_payload(self) -> dict[int, object]:
        return {
            1: SUBMISSION_TYPE,
            2: FORMAT_VERSION,
            3: self.device_id,
            4: self.sequence,
            5: self.idempotency_key,
            6: self.bundle_sequence,
            7: self.bundle_digest,
            8: numeric_date(self.taken_at),
            9: self.service,
            10: self.unit,
            11: self.service_point,
            12: self.clerk,
            13: [self.applicant.national_id, self.applicant.name, self.applicant.mobile],
            14: dict(self.form),
            15: [[p.type, p.media_type, p.sha256, p.content] for p in self.documents],
            16: self.receipt_number,
        }

    def sign(self, key: ec.EllipticCurvePrivateKey, kid: bytes) -> bytes:
        return cose.sign(cbor.encode(self.to_payload()), key, kid=kid)


def read_submission(payload: bytes) -> Submission:
    """The submission in a payload; :class:`WireError` naming the key at fault."""
    wire = decode_map(payload, SUBMISSION_TYPE)
    if wire.integer(2) != FORMAT_VERSION:
        raise WireError(f"{SUBMISSION_TYPE}: format version {wire.value.get(2)} is not {FORMAT_VERSION}")
    applicant = wire.get(
        13,
        lambda v: isinstance(v, list) and len(v) == 3 and all(isinstance(t, str) and len(t) <= 200 for t in v),
        "[national id, name, mobile]",
    )
    form = wire.get(
        14,
        lambda v: (
            isinstance(v, dict)
            and len(v) <= MAX_FIELDS
            and all(isinstance(k, str) and 0 < len(k) <= 64 and _form_value(x) for k, x in v.items())
        ),
        f"a map of at most {MAX_FIELDS} form fields to texts, integers or lists of texts",
    )
    documents = wire.get(
        15, lambda v: isinstance(v, list) and len(v) <= MAX_DOCUMENTS, f"a list of at most {MAX_DOCUMENTS} documents"
    )
    photos = []
    for index, entry in enumerate(documents):
        if not (
            isinstance(entry, list)
            and len(entry) == 4
            and isinstance(entry[0], str)
            and 0 < len(entry[0]) <= 64
            and isinstance(entry[1], str)
            and 0 < len(entry[1]) <= 32
            and isinstance(entry[2], bytes)
            and len(entry[2]) == 32
            and isinstance(entry[3], bytes)
            and 0 < len(entry[3]) <= MAX_DOCUMENT
        ):
            raise WireError(f"{SUBMISSION_TYPE}: document {index + 1} must be [type, media type, SHA-256, content]")
        photo = Photo(entry[0], entry[1], entry[3])
        if photo.sha256 != entry[2]:
            raise WireError(f"{SUBMISSION_TYPE}: document {index + 1}: the content is not the one its SHA-256 names")
        photos.append(photo)
    return Submission(
        device_id=wire.text(3, limit=64),
        sequence=wire.integer(4, minimum=1),
        idempotency_key=wire.text(5, limit=120),
        bundle_sequence=wire.integer(6, minimum=1),
        bundle_digest=wire.get(7, lambda v: isinstance(v, bytes) and len(v) == 32, "32 bytes"),
        taken_at=wire.moment(8),
        service=wire.text(9, limit=64),
        unit=wire.text(10, limit=64),
        service_point=wire.text(11, limit=64),
        clerk=wire.text(12, limit=64),
        applicant=Applicant(national_id=applicant[0], name=applicant[1], mobile=applicant[2]),
        form=form,
        documents=tuple(photos),
        receipt_number=wire.text(16, limit=64),
    )


def signed_message(envelope: bytes, kid: bytes) -> cose.Sign1:
    """The COSE_Sign1 of a submission signed by the key ``kid`` names, not yet verified.

    :class:`WireError` for one that is not a COSE_Sign1, not ES256, or names another key.
    """
    try:
        message = cose.parse_sign1(envelope, max_depth=8)
    except TokenError as error:
        raise WireError(f"{SUBMISSION_TYPE}: not a COSE_Sign1 ({error})") from None
    if message.alg != cose.ALG_ES256:
        raise WireError(f"{SUBMISSION_TYPE}: a device signs with ES256 only")
    if message.kid != kid:
        raise WireError(f"{SUBMISSION_TYPE}: signed by another key than the device's")
    return message


def open_submission(envelope: bytes, key: ec.EllipticCurvePublicKey, kid: bytes) -> Submission:
    """Verify a device-signed submission with the device's public key and read it.

    :class:`WireError` for a malformed one; :class:`localgov.tokens.BadSignature` (a
    :class:`TokenError`) for one the device did not sign.
    """
    message = signed_message(envelope, kid)
    cose.verify_signature(message, key)
    return read_submission(message.payload)
