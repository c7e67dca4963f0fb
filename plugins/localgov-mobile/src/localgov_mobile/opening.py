"""Opening one sync request's submissions: each read at once, its device signature checked beside.

For a request without a manifest that verifies (:mod:`localgov_mobile.manifest`), the device
signature check of each submission (ES256, about 67 µs) is most of what the sync costs beyond the
engine's own intake. OpenSSL runs it without Python's global lock (``cryptography`` releases it around
the call), so a second thread checks the signatures of a request in the order they came while
the syncing thread reads the submissions and then takes them through ``Engine.submit``, whose
SQLite and PostgreSQL calls release the lock too. Measured in ``docs/benchmarks.md``.

A request whose manifest verifies needs none of these checks: the device signed the SHA-256 of
each of its envelopes at once.

Nothing is decided on a submission before its signature is known: :meth:`Opened.refusal`
waits for the check, and the server asks it first, before the sequence, the device named or
anything else the content says. Reading before verifying only means the strict reader
(:func:`localgov_mobile.submission.read_submission`, written for untrusted bytes, bounded by
the request's own size limits) sees a forged submission too; its result is not used then, and
the refusal is the signature's, as when the signature was checked first.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Self

import attrs
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError
from localgov_mobile.errors import WireError
from localgov_mobile.submission import Submission, read_submission, signed_message

__all__ = ["Opened", "SignatureChecks", "unverified_sequence"]

# The check of an envelope the request's verified manifest lists: done, and passed.
_SIGNED: Future[None] = Future()
_SIGNED.set_result(None)


def unverified_sequence(envelope: bytes) -> int | None:
    """The sequence a refused envelope claims, only to tell the tablet which one was refused."""
    try:
        payload = cbor.decode(cose.parse_sign1(envelope, max_depth=8).payload, max_depth=8)
    except (TokenError, cbor.CborError, ValueError, RecursionError):
        return None
    value = payload.get(4) if isinstance(payload, dict) else None
    return value if type(value) is int and value >= 0 else None


@attrs.frozen
class Opened:
    """One envelope of a request: what it reads as, and its signature check, maybe still running."""

    index: int  # its place in the request: refusals are recorded in the request's order
    envelope: bytes
    submission: Submission | None  # None when it cannot be read (``problem`` says why)
    problem: str | None
    signed: Future[None] | None  # None when it is not even a COSE_Sign1 of the device's key

    def refusal(self, device_id: str) -> str | None:
        """Why it is refused before its content counts (waiting for its signature check), or None.

        A signature that is not the device's is the reason even when the content is malformed
        too, as when the check came first.
        """
        if self.signed is not None:
            try:
                self.signed.result()
            except TokenError:
                return f"the signature is not device {device_id}'s"
        return None if self.problem is None else f"malformed: {self.problem}"

    def claimed_sequence(self) -> int | None:
        """The sequence to name it by: its own if it could be read, else what its bytes claim."""
        return self.submission.sequence if self.submission is not None else unverified_sequence(self.envelope)


class SignatureChecks:
    """A thread checking one device's signatures; use it as a context manager, one per sync.

    One thread, not a pool: the syncing thread is busy with the engine meanwhile, and a
    deployment's concurrent syncs each bring their own. On leaving, checks not yet waited for
    (a sync that failed half-way) are cancelled, not run.
    """

    def __init__(self, key: ec.EllipticCurvePublicKey, kid: bytes, *, manifest_verified: bool = False) -> None:
        self._key, self._kid = key, kid
        # A request whose manifest the server verified (localgov_mobile.manifest) has every
        # envelope's bytes signed by the device already: no check of its own is run.
        self._covered = manifest_verified
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mobile-signatures")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def open_all(self, envelopes: Sequence[bytes]) -> list[Opened]:
        """Every envelope parsed, its check queued, then each read: the first checks run meanwhile."""
        messages: list[tuple[bytes, cose.Sign1 | None, str | None, Future[None] | None]] = []
        for envelope in envelopes:
            try:
                message = signed_message(envelope, self._kid)
            except WireError as error:
                messages.append((envelope, None, str(error), None))
                continue
            check = _SIGNED if self._covered else self._pool.submit(cose.verify_signature, message, self._key)
            messages.append((envelope, message, None, check))
        opened = []
        for index, (envelope, parsed, problem, signed) in enumerate(messages):
            submission = None
            if parsed is not None:
                try:
                    submission = read_submission(parsed.payload)
                except WireError as error:
                    problem = str(error)
            opened.append(Opened(index, envelope, submission, problem, signed))
        return opened
