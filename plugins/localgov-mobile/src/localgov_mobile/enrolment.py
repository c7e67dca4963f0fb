"""Enrolment over the network: the unit offers a one-time code for a device, the device sends
its public key with the code and gets its certificate chain back.

The unit's clerk reads the code to the tablet (or shows it as a QR code); the code is good once,
for one device id, until it expires (a day by default), and only its SHA-256 is stored. Request
(``POST /mobile/enrol``, ``application/cbor``)::

    {1 "localgov-mobile-enrol", 2 code (text), 3 device id, 4 the device's public key (SPKI DER)}

Answer: ``{1 "localgov-mobile-enrolled", 2 [device certificate DER, governorate CA DER]}``, or
403 with the reason as text.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.clock import Clock, utcnow
from localgov.pki import Credential, PkiError, issue_device_certificate, kid_of
from localgov.storage import migrate
from localgov.storage.database import WRITE
from localgov.tokens import cbor
from localgov_mobile.errors import EnrolmentError
from localgov_mobile.schema import MOBILE_TABLES, enrolments
from localgov_mobile.wire import decode_map

__all__ = ["ENROL_TYPE", "Enroller"]

ENROL_TYPE = "localgov-mobile-enrol"
ENROLLED_TYPE = "localgov-mobile-enrolled"
# Ten characters of Crockford's base 32 (no I, L, O, U): read aloud or typed on a tablet.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).digest()


class Enroller:
    """Certifies devices of the units under ``ca`` against one-time codes."""

    def __init__(self, database: sa.Engine, ca: Credential, *, clock: Clock = utcnow) -> None:
        self.database, self.ca, self._clock = database, ca, clock
        migrate(database, MOBILE_TABLES)

    def offer(self, issuer: str, device_id: str, *, valid_for: timedelta = timedelta(days=1)) -> str:
        """A one-time code with which device ``device_id`` of unit ``issuer`` ("C-ZTN") enrols."""
        code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        now = self._clock().astimezone(UTC)
        with self.database.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                connection.execute(
                    enrolments.insert().values(
                        code_hash=_digest(code),
                        issuer=issuer,
                        device_id=device_id,
                        offered_at=now.isoformat(),
                        expires_at=(now + valid_for).isoformat(),
                    )
                )
        return f"{code[:5]}-{code[5:]}"

    def certify(self, code: str, device_id: str, public_key: ec.EllipticCurvePublicKey) -> list[x509.Certificate]:
        """The device's chain, once per code; :class:`EnrolmentError` saying why not."""
        now = self._clock().astimezone(UTC)
        with self.database.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                row = connection.execute(sa.select(enrolments).where(enrolments.c.code_hash == _digest(code))).first()
                if row is None:
                    raise EnrolmentError("unknown enrolment code")
                if row.used_at is not None:
                    raise EnrolmentError(f"this enrolment code was already used, at {row.used_at}")
                if datetime.fromisoformat(row.expires_at) < now:
                    raise EnrolmentError(f"this enrolment code expired at {row.expires_at}")
                if row.device_id != device_id:
                    raise EnrolmentError(f"this enrolment code is for device {row.device_id}, not {device_id}")
                try:
                    certificate = issue_device_certificate(
                        self.ca, row.issuer, device_id, public_key, now=now - timedelta(minutes=5)
                    )
                except PkiError as error:
                    raise EnrolmentError(str(error)) from None
                used = connection.execute(
                    enrolments.update()
                    .where(enrolments.c.code_hash == row.code_hash, enrolments.c.used_at.is_(None))
                    .values(used_at=now.isoformat(), kid=kid_of(certificate))
                ).rowcount
                if used != 1:
                    raise EnrolmentError("this enrolment code was used at the same moment by another device")
        return [certificate, self.ca.certificate]

    def handle(self, body: bytes) -> bytes:
        """One enrolment on the wire (:class:`WireError` for a malformed request)."""
        wire = decode_map(body, ENROL_TYPE, max_depth=3)
        code, device_id = wire.text(2, limit=20), wire.text(3, limit=64)
        spki = wire.raw(4, limit=200)
        try:
            key = serialization.load_der_public_key(spki)
        except ValueError:
            raise EnrolmentError("the public key is not a DER SubjectPublicKeyInfo") from None
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise EnrolmentError("the device key must be ECDSA P-256")
        chain = self.certify(code, device_id, key)
        return cbor.encode({1: ENROLLED_TYPE, 2: [c.public_bytes(serialization.Encoding.DER) for c in chain]})
