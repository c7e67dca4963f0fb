"""The server side of the sync: each submission received exactly once, in order, through the engine.

For each sync request (:mod:`localgov_mobile.exchange`):

1. The device certificate must chain to the national root, be a device certificate (its EKU) of
   a unit the deployment has; otherwise every submission is refused and the refusal recorded.
2. Each submission's signature is checked with that certificate's key: a forged or malformed
   one is refused and recorded, and its sequence stays open. A request whose manifest verifies
   (the device's one signature over the SHA-256 of each submission,
   :mod:`localgov_mobile.manifest`) needs no check a submission; otherwise the checks run in a
   second thread beside the engine's work (:mod:`localgov_mobile.opening`). Nothing is decided
   on a submission before its check is known.
3. A device the revocation list names (:meth:`RevocationList.device_revoked_at`) has every
   submission refused, and recorded, from the moment of revocation on. The server's clock
   decides, never the tablet's: a lost tablet's clock is whatever its finder sets.
4. Submissions are taken in sequence order. One already decided is answered as it was decided
   (``repeat``); one past a gap waits (``out_of_order``); the next one goes through the engine's
   own :meth:`~localgov.requests.Engine.submit` on the channel, by the clerk it names, with an
   idempotency key derived from the tablet's, so intake's rules (roles, separation of duties,
   service points, the catalogue of the moment) apply unchanged. What intake refuses is
   ``rejected``: kept with its reason and its signed envelope, and the sequence moves on.
5. The decisions are written in one transaction that moves the device's expected sequence on
   only from where this sync found it. A sync that dies after the engine received a request but
   before that transaction is sent again by the tablet; the engine's idempotency key returns the
   same request, so nothing is received twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

import attrs
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.errors import LocalgovError
from localgov.permits import issuer_code
from localgov.pki import EKU_DEVICE_SIGNING, Credential, PkiError, device_id_of, kid_of, unit_code_of, verify_chain
from localgov.requests import Engine
from localgov.storage import migrate
from localgov.storage.database import WRITE
from localgov.tokens import RevocationList
from localgov_mobile.bundle import Bundle, build_bundle
from localgov_mobile.errors import EnrolmentError, WireError
from localgov_mobile.exchange import Outcome, SyncAnswer, SyncRequest, read_request
from localgov_mobile.manifest import covers
from localgov_mobile.opening import Opened, SignatureChecks, unverified_sequence
from localgov_mobile.schema import MOBILE_TABLES, bundles, devices, manifests, refusals, submissions
from localgov_mobile.submission import Submission

__all__ = ["Refusal", "SyncRecord", "SyncServer"]


@attrs.frozen
class SyncRecord:
    """A submission the server decided on, as kept in ``mob_submissions``."""

    device_id: str
    sequence: int
    service: str
    outcome: str
    request_id: str | None
    reason: str | None
    taken_at: str
    received_at: str
    clock_skew: int
    stale_bundle: bool


@attrs.frozen
class Refusal:
    device_id: str | None
    sequence: int | None
    reason: str
    received_at: str


@attrs.frozen
class _Device:
    certificate: x509.Certificate
    kid: bytes
    device_id: str
    issuer: str  # the unit as the certificate names it ("C-ZTN")
    unit: str  # the organisation's unit code ("zeitoun")
    key: ec.EllipticCurvePublicKey


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class SyncServer:
    """Receives the tablets' outboxes for one deployment's engine.

    :param root: the national root the device certificates chain to.
    :param revocations: the revocation list in force, asked at each sync (a deployment reloads
        its signed list from disk or from the trust service).
    :param bundle_signer: each unit's document signer, by unit code, and the intermediates
        (the governorate CA), to sign the bundles the tablets download.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        root: x509.Certificate,
        revocations: Callable[[], RevocationList] = RevocationList,
        bundle_signers: dict[str, tuple[Credential, Sequence[x509.Certificate]]] | None = None,
        channel: str = "mobile_unit",
        database: sa.Engine | None = None,
    ) -> None:
        self.engine = engine
        self.root = root
        self.channel = channel
        self._revocations = revocations
        self._signers = dict(bundle_signers or {})
        store_engine = database if database is not None else getattr(engine.store, "engine", None)
        if not isinstance(store_engine, sa.Engine):
            raise EnrolmentError("the mobile sync keeps its tables beside the engine's: give an SQL store")
        self.database = store_engine
        migrate(self.database, MOBILE_TABLES)
        self._editions: dict[tuple[str, bytes], int] = {}  # (unit, digest) -> sequence
        # Each unit's bundle as built from the engine's catalogue, which an engine never changes
        # (its workflows are compiled from it): built once, not at every sync, which asks for it.
        self._drafts: dict[str, Bundle] = {}

    # ---------------------------------------------------------------- bundles

    def bundle(self, unit: str) -> Bundle:
        """The unit's current bundle, issued now; a new edition when the catalogue's entries changed.

        An edition is its catalogue entries (its digest): the same entries keep their sequence,
        and each download is issued afresh, valid for a week from then.
        """
        built = self._drafts.get(unit)
        if built is None:
            built = self._drafts[unit] = build_bundle(self.engine, unit, sequence=1, channel=self.channel)
        issued = self.engine.now().astimezone(UTC).replace(microsecond=0)
        draft = attrs.evolve(built, issued_at=issued, valid_until=issued + (built.valid_until - built.issued_at))
        known = self._editions.get((unit, draft.digest))
        if known is not None:
            return attrs.evolve(draft, sequence=known)
        for _ in range(3):  # another worker numbering the same edition at once: read its number
            try:
                sequence = self._edition(unit, draft)
            except sa.exc.IntegrityError:
                continue
            self._editions[unit, draft.digest] = sequence
            return attrs.evolve(draft, sequence=sequence)
        raise WireError(f"unit {unit}: the bundle's edition could not be numbered; try again")

    def _edition(self, unit: str, draft: Bundle) -> int:
        with self._writing() as connection:
            latest = connection.execute(
                sa.select(bundles.c.sequence, bundles.c.digest)
                .where(bundles.c.unit == unit)
                .order_by(bundles.c.sequence.desc())
                .limit(1)
            ).first()
            if latest is not None and bytes(latest.digest) == draft.digest:
                return int(latest.sequence)
            sequence = 1 if latest is None else int(latest.sequence) + 1
            connection.execute(
                bundles.insert().values(
                    unit=unit, sequence=sequence, digest=draft.digest, issued_at=_iso(draft.issued_at)
                )
            )
            return sequence

    def signed_bundle(self, unit: str) -> bytes:
        """The unit's current bundle, signed by its document signer, for the tablets to download."""
        if unit not in self._signers:
            raise EnrolmentError(f"no document signer is configured for unit {unit!r}'s bundles")
        signer, intermediates = self._signers[unit]
        return self.bundle(unit).sign(signer, intermediates)

    # ---------------------------------------------------------------- the exchange

    def handle(self, body: bytes) -> bytes:
        """One sync exchange on the wire: request bytes in, answer bytes out (:class:`WireError`)."""
        return self.sync(read_request(body)).encode()

    def sync(self, request: SyncRequest) -> SyncAnswer:
        now = self.engine.now().astimezone(UTC)
        skew = int((request.device_now - now).total_seconds())
        device, refusal = self._device(request.chain, now)
        if device is None:
            kid = hashlib.sha256(request.chain[0]).digest()[:8]
            refused = [(unverified_sequence(e), e) for e in request.envelopes]
            with self._writing() as connection:
                self._refuse(connection, kid, None, [(s, refusal, e) for s, e in refused], now)
            outcomes = tuple(Outcome(s or 0, "refused", reason=refusal) for s, _ in refused)
            return self._answer(now, outcomes, 1, skew, None)
        for _ in range(3):  # a concurrent sync of the same device moved the sequence: decide again
            answer = self._sync_device(device, request, now, skew)
            if answer is not None:
                return answer
        raise WireError(f"device {device.device_id}: three syncs at once; try again")

    def _device(self, chain: Sequence[bytes], now: datetime) -> tuple[_Device | None, str]:
        try:
            certificates = [x509.load_der_x509_certificate(c) for c in chain]
        except ValueError:
            return None, "the device certificate is not readable"
        certificate = certificates[0]
        try:
            verify_chain(certificate, certificates[1:], self.root, at=now)
            usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except (PkiError, x509.ExtensionNotFound) as error:
            return None, f"the device certificate is not valid: {error}"
        device_id, issuer = device_id_of(certificate), unit_code_of(certificate)
        key = certificate.public_key()
        if EKU_DEVICE_SIGNING not in usage or device_id is None or issuer is None:
            return None, "the certificate is not a device certificate"
        unit = next(
            (code for g in self.engine.organisation.values() for code in g.units if issuer_code(g, code) == issuer),
            None,
        )
        if unit is None:
            return None, f"the device belongs to unit {issuer!r}, which this deployment does not have"
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return None, "the device key is not ECDSA"
        return _Device(certificate, kid_of(certificate), device_id, issuer, unit, key), ""

    def _sync_device(self, device: _Device, request: SyncRequest, now: datetime, skew: int) -> SyncAnswer | None:
        expected = self._expected(device, now)
        revoked_at = self._revocations().device_revoked_at(device.kid)
        current = self.bundle(device.unit)
        if revoked_at is not None and now >= revoked_at:
            reason = f"device {device.device_id} was revoked at {revoked_at.isoformat()}"
            decisions = _Decisions(expected, refused=[(unverified_sequence(e), reason, e) for e in request.envelopes])
        else:
            verified = bool(request.manifest) and covers(
                request.manifest,
                request.envelopes,
                key=device.key,
                kid=device.kid,
                device_id=device.device_id,
                device_now=request.device_now,
            )
            with SignatureChecks(device.key, device.kid, manifest_verified=verified) as checks:
                decisions = self._decide(device, checks.open_all(request.envelopes), expected, current, now, skew)
            if verified and decisions.records:
                decisions.manifest = request.manifest
        try:
            with self._writing() as connection:
                moved = connection.execute(
                    devices.update()
                    .where(devices.c.kid == device.kid, devices.c.next_sequence == expected)
                    .values(next_sequence=decisions.next_sequence, last_sync=_iso(now))
                ).rowcount
                if moved != 1:
                    raise _Raced
                if decisions.records:
                    connection.execute(submissions.insert(), decisions.records)
                if decisions.manifest:  # the evidence of the records it spared a check of their own
                    connection.execute(
                        manifests.insert().values(kid=device.kid, received_at=_iso(now), manifest=decisions.manifest)
                    )
                self._refuse(connection, device.kid, device.device_id, decisions.refused, now)
        except _Raced:
            return None
        outcomes = decisions.outcomes + [Outcome(s or 0, "refused", reason=r) for s, r, _ in decisions.refused]
        outcomes.sort(key=lambda o: o.sequence)
        return self._answer(now, tuple(outcomes), decisions.next_sequence, skew, current)

    def _decide(
        self, device: _Device, opened: Sequence[Opened], expected: int, current: Bundle, now: datetime, skew: int
    ) -> _Decisions:
        """Each envelope decided in sequence order, none before its signature is known to be the device's."""
        decisions = _Decisions(expected)
        # Refusals found opening an envelope are recorded in the request's order, as when every
        # signature was checked before anything was decided; those found deciding (a sequence
        # used again) after them.
        opening: list[tuple[int, tuple[int | None, str, bytes]]] = []
        for item in opened:
            if item.submission is None:
                reason = item.refusal(device.device_id)
                assert reason is not None  # an envelope that cannot be read is always refused
                opening.append((item.index, (item.claimed_sequence(), reason, item.envelope)))
        in_order = sorted(
            ((item.submission, item) for item in opened if item.submission is not None), key=lambda p: p[0].sequence
        )
        decided = self._decided(device.kid, [s.sequence for s, _ in in_order if s.sequence < expected])
        for submission, item in in_order:
            envelope = item.envelope
            problem = item.refusal(device.device_id) or self._mismatch(device, submission)
            if problem is not None:
                opening.append((item.index, (submission.sequence, problem, envelope)))
                continue
            earlier = decided.get(submission.sequence)
            if submission.sequence < decisions.next_sequence:
                if earlier is None:
                    continue  # the same sequence twice in one request: decided with the first
                if earlier[0] != submission.idempotency_key:
                    reason = f"sequence {submission.sequence} was already used for another submission"
                    decisions.refused.append((submission.sequence, reason, envelope))
                    continue
                decisions.outcomes.append(Outcome(submission.sequence, earlier[1], earlier[2], earlier[3], repeat=True))
            elif submission.sequence == decisions.next_sequence:
                outcome = self._receive(device, submission)
                stale = submission.bundle_digest != current.digest
                if stale and outcome.outcome == "rejected":
                    outcome = attrs.evolve(
                        outcome,
                        reason=f"{outcome.reason} (taken with bundle {submission.bundle_sequence}, "
                        f"older than the catalogue in force, bundle {current.sequence})",
                    )
                decisions.records.append(self._record(device, submission, envelope, outcome, now, skew, stale))
                decisions.outcomes.append(outcome)
                decided[submission.sequence] = (
                    submission.idempotency_key,
                    outcome.outcome,
                    outcome.request_id,
                    outcome.reason,
                )
                decisions.next_sequence += 1
            else:
                decisions.outcomes.append(
                    Outcome(
                        submission.sequence,
                        "out_of_order",
                        reason=f"waiting for sequence {decisions.next_sequence} first",
                    )
                )
        opening.sort(key=lambda pair: pair[0])
        decisions.refused[:0] = [refusal for _, refusal in opening]
        return decisions

    def _mismatch(self, device: _Device, submission: Submission) -> str | None:
        if submission.device_id != device.device_id:
            return f"the submission names device {submission.device_id!r}, its signer is {device.device_id!r}"
        if submission.unit != device.unit:
            return f"device {device.device_id} belongs to {device.unit!r}, not {submission.unit!r}"
        if not submission.idempotency_key.startswith(f"{device.device_id}:"):
            return "the idempotency key is not this device's"
        return None

    def _receive(self, device: _Device, submission: Submission) -> Outcome:
        clerk = self.engine.staff.get(submission.clerk)
        if clerk is None:
            return Outcome(submission.sequence, "rejected", reason=f"no staff member {submission.clerk!r} at the unit")
        try:
            request = self.engine.submit(
                submission.service,
                unit=submission.unit,
                applicant=submission.applicant,
                form=submission.form,
                channel=self.channel,
                actor=clerk,
                service_point=submission.service_point,
                documents=[photo.upload() for photo in submission.documents],
                idempotency_key=f"mobile:{submission.idempotency_key}",
            )
        except LocalgovError as error:
            return Outcome(submission.sequence, "rejected", reason=str(error))
        return Outcome(submission.sequence, "accepted", request_id=request.id)

    def _record(
        self,
        device: _Device,
        submission: Submission,
        envelope: bytes,
        outcome: Outcome,
        now: datetime,
        skew: int,
        stale: bool,
    ) -> dict[str, object]:
        return {
            "kid": device.kid,
            "sequence": submission.sequence,
            "idempotency_key": submission.idempotency_key,
            "device_id": device.device_id,
            "service": submission.service,
            "outcome": outcome.outcome,
            "request_id": outcome.request_id,
            "reason": outcome.reason,
            "taken_at": _iso(submission.taken_at),
            "received_at": _iso(now),
            "clock_skew": skew,
            "bundle_sequence": submission.bundle_sequence,
            "stale_bundle": stale,
            "envelope": envelope,
        }

    def _refuse(
        self,
        connection: sa.Connection,
        kid: bytes,
        device_id: str | None,
        refused: Iterable[tuple[int | None, str, bytes]],
        now: datetime,
    ) -> None:
        rows = [
            {
                "kid": kid,
                "device_id": device_id,
                "sequence": sequence,
                "reason": reason,
                "received_at": _iso(now),
                "envelope_sha256": hashlib.sha256(envelope).digest(),
            }
            for sequence, reason, envelope in refused
        ]
        if rows:
            connection.execute(refusals.insert(), rows)

    def _answer(
        self, now: datetime, outcomes: tuple[Outcome, ...], next_sequence: int, skew: int, bundle: Bundle | None
    ) -> SyncAnswer:
        return SyncAnswer(
            now.replace(microsecond=0),
            outcomes,
            next_sequence,
            skew,
            bundle.sequence if bundle is not None else 0,
            bundle.digest if bundle is not None else b"",
        )

    # ---------------------------------------------------------------- storage

    def _expected(self, device: _Device, now: datetime) -> int:
        with self._writing() as connection:
            found = connection.execute(sa.select(devices.c.next_sequence).where(devices.c.kid == device.kid)).scalar()
            if found is not None:
                return int(found)
            try:
                with connection.begin_nested():
                    connection.execute(
                        devices.insert().values(
                            kid=device.kid,
                            device_id=device.device_id,
                            unit=device.unit,
                            certificate=device.certificate.public_bytes(serialization.Encoding.DER),
                            next_sequence=1,
                            first_seen=_iso(now),
                            last_sync=_iso(now),
                        )
                    )
            except sa.exc.IntegrityError:
                pass  # enrolled by a concurrent sync
        return 1

    def _decided(self, kid: bytes, sequences: Sequence[int]) -> dict[int, tuple[str, str, str | None, str | None]]:
        if not sequences:
            return {}
        columns = (
            submissions.c.sequence,
            submissions.c.idempotency_key,
            submissions.c.outcome,
            submissions.c.request_id,
            submissions.c.reason,
        )
        with self.database.connect() as connection:
            rows = connection.execute(
                sa.select(*columns).where(submissions.c.kid == kid, submissions.c.sequence.in_(sorted(set(sequences))))
            ).all()
        return {row.sequence: (row.idempotency_key, row.outcome, row.request_id, row.reason) for row in rows}

    def _writing(self) -> sa.engine.Connection:
        return _Writing(self.database)  # type: ignore[return-value]

    # ---------------------------------------------------------------- reading

    def records(self, device_id: str | None = None) -> list[SyncRecord]:
        """The submissions decided, by device and sequence."""
        query = sa.select(
            submissions.c.device_id,
            submissions.c.sequence,
            submissions.c.service,
            submissions.c.outcome,
            submissions.c.request_id,
            submissions.c.reason,
            submissions.c.taken_at,
            submissions.c.received_at,
            submissions.c.clock_skew,
            submissions.c.stale_bundle,
        ).order_by(submissions.c.device_id, submissions.c.sequence)
        if device_id is not None:
            query = query.where(submissions.c.device_id == device_id)
        with self.database.connect() as connection:
            return [SyncRecord(*row) for row in connection.execute(query)]  # type: ignore[call-arg]

    def refusals(self) -> list[Refusal]:
        query = sa.select(
            refusals.c.device_id, refusals.c.sequence, refusals.c.reason, refusals.c.received_at
        ).order_by(refusals.c.id)
        with self.database.connect() as connection:
            return [Refusal(*row) for row in connection.execute(query)]


class _Raced(Exception):
    pass


@attrs.define
class _Decisions:
    """What one sync decided, to be written in its one transaction."""

    next_sequence: int
    outcomes: list[Outcome] = attrs.Factory(list)
    records: list[dict[str, object]] = attrs.Factory(list)
    refused: list[tuple[int | None, str, bytes]] = attrs.Factory(list)
    manifest: bytes = b""  # the verified manifest the records rely on, kept with them


class _Writing:
    """A write transaction on the plugin's tables (the storage's WRITE option: BEGIN IMMEDIATE on SQLite)."""

    def __init__(self, database: sa.Engine) -> None:
        self._database = database

    def __enter__(self) -> sa.Connection:
        self._connection = self._database.connect().execution_options(**{WRITE: True})
        self._transaction = self._connection.begin()
        return self._connection

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self._connection.close()
