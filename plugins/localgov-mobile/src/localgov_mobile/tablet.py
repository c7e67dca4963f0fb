"""The tablet: enrolled once, then offline for days, syncing when it has a connection.

Everything it keeps is in one folder: its private key (mode 0600), its certificate chain, and
``outbox.sqlite3``, the durable outbox. Each submission is signed and written in one SQLite
transaction (WAL, ``synchronous=FULL``) before the provisional receipt is shown, so a tablet
that dies at any moment holds every submission it gave a receipt for, and none half-written.
Rows are never deleted: the server's answer marks them, and a row is sent until it is decided.

The tablet validates with localgov's own code, on the definitions of the signed bundle: the
applicant (:func:`localgov.requests.intake.valid_applicant`), the form
(:func:`localgov.requests.forms.validate_form`), the documents
(:func:`localgov.requests.uploads.check_uploads`) and the fee estimate
(:func:`localgov.fees.estimate`). What it accepts, the server accepts, unless the catalogue
changed in between; the server then keeps the submission and says why it no longer takes it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.clock import Clock, utcnow
from localgov.errors import LocalgovError
from localgov.fees import estimate
from localgov.pki import (
    EKU_DEVICE_SIGNING,
    PkiError,
    device_id_of,
    generate_signing_key,
    kid_of,
    load_certificates,
    load_private_key,
    save_private_key,
    unit_code_of,
    verify_chain,
)
from localgov.requests.forms import validate_form
from localgov.requests.intake import valid_applicant
from localgov.requests.model import Applicant
from localgov.requests.uploads import check_uploads
from localgov_mobile.bundle import Bundle, open_bundle
from localgov_mobile.errors import BundleError, EnrolmentError, OutboxError, SyncError, WireError
from localgov_mobile.exchange import Outcome, SyncAnswer, SyncRequest, read_answer
from localgov_mobile.manifest import sign_manifest
from localgov_mobile.receipt import ProvisionalReceipt
from localgov_mobile.submission import Photo, Submission

__all__ = ["OutboxEntry", "SyncReport", "Tablet", "Transport"]

KEY_FILE, CHAIN_FILE, OUTBOX_FILE = "device.key", "device-chain.pem", "outbox.sqlite3"
#: The most a sync request carries, documents included: under the web service's default body
#: limit (20 MiB), so one request never exceeds what the server reads. One submission's photos
#: must fit in it (checked at the visit, when the clerk can still take smaller photos).
MAX_SYNC_BYTES = 16 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS photos (sha256 BLOB PRIMARY KEY, media_type TEXT NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    sequence INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    receipt_number TEXT NOT NULL,
    service TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    envelope BLOB NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    request_id TEXT,
    reason TEXT,
    decided_at TEXT
);
-- What is still to be sent, in sequence order: without it, each sync walked past every row
-- already accepted to find the next waiting ones, and a long-offline tablet's syncs grew
-- quadratic. The same terms as _UNDECIDED, so SQLite knows its queries may use it.
CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox (sequence)
    WHERE status IN ('pending', 'out_of_order', 'refused');
"""
# Still to be sent: not yet answered, or answered "come back later". Written out, not bound,
# so that SQLite sees the outbox_waiting index's own terms in the query.
_UNDECIDED = ("pending", "out_of_order", "refused")
_WAITING = f"status IN ({', '.join(repr(s) for s in _UNDECIDED)})"


class Transport(Protocol):
    """How a sync request reaches the server: over HTTP, or directly in tests."""

    def exchange(self, body: bytes) -> bytes: ...


@attrs.frozen
class OutboxEntry:
    sequence: int
    receipt_number: str
    service: str
    status: str
    request_id: str | None
    reason: str | None


@attrs.frozen
class SyncReport:
    """What one sync did: the server's outcome for each submission sent, and what is left."""

    outcomes: tuple[Outcome, ...]
    waiting: int
    clock_skew: int
    bundle_is_current: bool


class Tablet:
    """One enrolled device. Open it with :meth:`open`; enrol a new one with :meth:`enrol`."""

    def __init__(
        self,
        folder: Path,
        key: ec.EllipticCurvePrivateKey,
        chain: Sequence[x509.Certificate],
        root: x509.Certificate,
        clock: Clock = utcnow,
    ) -> None:
        self.folder = folder
        self._key = key
        self.chain = tuple(chain)
        self.root = root
        self._clock = clock
        self.certificate = chain[0]
        self.kid = kid_of(self.certificate)
        device_id, unit = device_id_of(self.certificate), unit_code_of(self.certificate)
        if device_id is None or unit is None:
            raise EnrolmentError(f"{folder / CHAIN_FILE}: the first certificate is not a device certificate")
        #: The device id, and its unit as its certificate names it ("C-ZTN").
        self.device_id, self.issuer = device_id, unit
        self._db = sqlite3.connect(folder / OUTBOX_FILE, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a receipt shown is a submission on disk
        self._db.executescript(_SCHEMA)
        self._bundle: Bundle | None = None

    # ---------------------------------------------------------------- enrolment

    @classmethod
    def enrol(
        cls,
        folder: str | os.PathLike[str],
        *,
        root: x509.Certificate,
        certify: Callable[[ec.EllipticCurvePublicKey], Sequence[x509.Certificate]],
        passphrase: bytes | None = None,
        clock: Clock = utcnow,
    ) -> Tablet:
        """Make a device key in ``folder``, have the unit certify it, and keep both.

        ``certify`` takes the device's public key to the unit's CA and returns the certificate
        chain (device certificate first); the private key never leaves the tablet.
        """
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        if (target / KEY_FILE).exists():
            raise EnrolmentError(f"{target / KEY_FILE}: this tablet is already enrolled")
        key = generate_signing_key()
        chain = list(certify(key.public_key()))
        _check_device_chain(chain, root, key, clock())
        # The chain first, the key last: a tablet that stops in between is simply not enrolled yet.
        (target / CHAIN_FILE).write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
        save_private_key(target / KEY_FILE, key, passphrase)
        return cls(target, key, chain, root, clock)

    @classmethod
    def open(
        cls,
        folder: str | os.PathLike[str],
        *,
        root: x509.Certificate,
        passphrase: bytes | None = None,
        clock: Clock = utcnow,
    ) -> Tablet:
        target = Path(folder)
        try:
            key = load_private_key(target / KEY_FILE, passphrase)
            chain = load_certificates(target / CHAIN_FILE)
        except PkiError as error:
            raise EnrolmentError(f"{target}: not an enrolled tablet ({error})") from None
        tablet = cls(target, key, chain, root, clock)
        stored = tablet._meta("bundle")
        if stored is not None:
            # A bundle that no longer verifies (its signer's certificate expired) takes no more
            # requests, but must not keep the tablet from syncing what it already took.
            with contextlib.suppress(BundleError):
                tablet._bundle = open_bundle(stored, root, at=clock())
        return tablet

    def close(self) -> None:
        self._db.close()

    # ---------------------------------------------------------------- the bundle

    @property
    def bundle(self) -> Bundle:
        if self._bundle is None:
            raise OutboxError(f"tablet {self.device_id} holds no bundle yet: download one before the visit")
        return self._bundle

    def install_bundle(self, data: bytes) -> Bundle:
        """Verify a downloaded bundle and keep it; an older edition than the one held is refused."""
        bundle = open_bundle(data, self.root, at=self._clock())
        if bundle.issuer != self.issuer:
            raise BundleError(f"bundle {bundle.sequence} is for unit {bundle.issuer}, this tablet is {self.issuer}'s")
        if self._bundle is not None and bundle.sequence < self._bundle.sequence:
            raise BundleError(f"bundle {bundle.sequence} is older than bundle {self._bundle.sequence} held")
        bundle.catalogue  # noqa: B018 - loaded now, so a bundle that does not load is refused now
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('bundle', ?)", (data,))
        self._bundle = bundle
        return bundle

    # ---------------------------------------------------------------- the visit

    def take(
        self,
        service: str,
        *,
        applicant: Applicant,
        form: Mapping[str, Any],
        clerk: str,
        service_point: str,
        photos: Sequence[Photo] = (),
    ) -> ProvisionalReceipt:
        """Validate a request as the server will, sign it, queue it, and give its provisional receipt.

        Raises what the server's intake would (:class:`localgov.requests.InvalidForm`,
        :class:`InvalidDocument`...) or :class:`OutboxError`, before anything is written.
        """
        bundle = self.bundle
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        if now > bundle.valid_until:
            raise OutboxError(
                f"bundle {bundle.sequence} expired at {bundle.valid_until.isoformat()}: sync to download a new one"
            )
        if service not in bundle.services:
            raise OutboxError(f"the mobile district does not take {service} (it takes {', '.join(bundle.services)})")
        if service_point not in bundle.service_points:
            raise OutboxError(
                f"service point {service_point!r} is not one of {bundle.unit}'s mobile units "
                f"({', '.join(bundle.service_points) or 'none'})"
            )
        catalogue = bundle.catalogue
        definition = catalogue.service(service)
        checked = valid_applicant(applicant)
        normalised = validate_form(definition, form)
        check_uploads(catalogue, definition, [photo.upload() for photo in photos])
        size = sum(len(photo.content) for photo in photos)
        if size > MAX_SYNC_BYTES - 64 * 1024:
            raise OutboxError(
                f"the documents' photos take {size / 1048576:.1f} MB, more than one sync carries "
                f"({(MAX_SYNC_BYTES - 64 * 1024) / 1048576:.1f} MB): take them at a lower resolution"
            )
        fees = estimate(definition, catalogue, normalised, as_of=now.date())
        with self._write() as db:
            sequence = db.execute("SELECT COALESCE(MAX(sequence), 0) + 1 FROM outbox").fetchone()[0]
            number = f"{self.device_id}-{sequence:06d}"
            submission = Submission(
                device_id=self.device_id,
                sequence=sequence,
                idempotency_key=f"{self.device_id}:{sequence}:{secrets.token_hex(8)}",
                bundle_sequence=bundle.sequence,
                bundle_digest=bundle.digest,
                taken_at=now,
                service=service,
                unit=bundle.unit,
                service_point=service_point,
                clerk=clerk,
                applicant=checked,
                form=normalised,
                documents=tuple(photos),
                receipt_number=number,
            )
            for photo in photos:
                db.execute(
                    "INSERT OR IGNORE INTO photos (sha256, media_type, content) VALUES (?, ?, ?)",
                    (photo.sha256, photo.media_type, photo.content),
                )
            db.execute(
                "INSERT INTO outbox (sequence, idempotency_key, receipt_number, service, taken_at, envelope)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    sequence,
                    submission.idempotency_key,
                    number,
                    service,
                    now.isoformat(),
                    submission.sign(self._key, self.kid),
                ),
            )
        receipt = ProvisionalReceipt(
            device_id=self.device_id,
            sequence=sequence,
            number=number,
            service=service,
            service_name=definition.name,
            unit=bundle.unit,
            taken_at=now,
            estimate=fees.total,
            estimate_complete=fees.complete,
        )
        return receipt.signed(self._key, self.kid)

    def photo(self, sha256: bytes) -> Photo | None:
        """A photo kept on the tablet, by the SHA-256 of its content."""
        row = self._db.execute("SELECT media_type, content FROM photos WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else Photo("", row[0], row[1])

    # ---------------------------------------------------------------- sync

    def outbox(self) -> list[OutboxEntry]:
        rows = self._db.execute(
            "SELECT sequence, receipt_number, service, status, request_id, reason FROM outbox ORDER BY sequence"
        ).fetchall()
        return [OutboxEntry(*row) for row in rows]

    def waiting(self, limit: int | None = None) -> list[tuple[int, bytes]]:
        """The signed submissions still to be sent, by sequence; the oldest ``limit`` if given."""
        return self._db.execute(
            f"SELECT sequence, envelope FROM outbox WHERE {_WAITING} ORDER BY sequence LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()

    def waiting_count(self) -> int:
        """How many submissions are still to be sent."""
        return int(self._db.execute(f"SELECT count(*) FROM outbox WHERE {_WAITING}").fetchone()[0])

    def sync_request(self, limit: int = 500, max_bytes: int = MAX_SYNC_BYTES) -> SyncRequest:
        """The next sync request: the oldest waiting submissions, at most ``limit`` of them and
        ``max_bytes`` in all (always at least one)."""
        envelopes: list[bytes] = []
        size = 0
        for _, envelope in self.waiting(limit):
            if envelopes and size + len(envelope) > max_bytes:
                break
            envelopes.append(envelope)
            size += len(envelope)
        chain = tuple(c.public_bytes(serialization.Encoding.DER) for c in self.chain)
        now = self._clock().astimezone(UTC)
        # One signature over the request's submissions, so the server checks one, not 500.
        manifest = sign_manifest(envelopes, self.device_id, now, self._key, self.kid)
        return SyncRequest(chain, now, tuple(envelopes), manifest)

    def sync(self, transport: Transport, *, limit: int = 500, max_bytes: int = MAX_SYNC_BYTES) -> SyncReport:
        """Send what waits (one request: see :meth:`sync_request`), record the server's answer;
        :class:`SyncError` if the exchange fails. ``SyncReport.waiting`` says what is left.

        A failed exchange changes nothing on the tablet: whatever the server did, the next sync
        sends the same submissions and the server answers them as it decided the first time.
        """
        request = self.sync_request(limit, max_bytes)
        try:
            answer = read_answer(transport.exchange(request.encode()))
        except (OSError, WireError, LocalgovError) as error:
            raise SyncError(f"sync of {len(request.envelopes)} submissions did not complete: {error}") from None
        self._record(answer)
        return SyncReport(
            answer.outcomes,
            self.waiting_count(),
            answer.clock_skew,
            self._bundle is not None and answer.bundle_digest == self._bundle.digest,
        )

    def _record(self, answer: SyncAnswer) -> None:
        decided_at = self._clock().astimezone(UTC).isoformat()
        with self._write() as db:
            for outcome in answer.outcomes:
                # A decision, once made, is final: a late "out of order" never undoes an "accepted".
                db.execute(
                    "UPDATE outbox SET status = ?, request_id = ?, reason = ?, decided_at = ?"
                    " WHERE sequence = ? AND status NOT IN ('accepted', 'rejected')",
                    (outcome.outcome, outcome.request_id, outcome.reason, decided_at, outcome.sequence),
                )

    # ---------------------------------------------------------------- storage

    def _meta(self, name: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise OutboxError(f"{self.folder / OUTBOX_FILE}: cannot write the outbox ({error})") from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _check_device_chain(
    chain: Sequence[x509.Certificate], root: x509.Certificate, key: ec.EllipticCurvePrivateKey, now: datetime
) -> None:
    if not chain:
        raise EnrolmentError("the unit returned no certificate")
    device = chain[0]
    try:
        verify_chain(device, chain[1:], root, at=now)
        usage = device.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (PkiError, x509.ExtensionNotFound) as error:
        raise EnrolmentError(f"the device certificate is not usable: {error}") from None
    if EKU_DEVICE_SIGNING not in usage or device_id_of(device) is None:
        raise EnrolmentError("the certificate returned is not a device certificate")
    public = device.public_key()
    if (
        not isinstance(public, ec.EllipticCurvePublicKey)
        or public.public_numbers() != key.public_key().public_numbers()
    ):
        raise EnrolmentError("the certificate returned certifies another key than this tablet's")
