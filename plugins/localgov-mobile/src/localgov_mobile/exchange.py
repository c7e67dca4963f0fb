"""The sync exchange: one request from the tablet, one answer from the server, both CBOR maps.

Request (``POST /mobile/sync``, ``application/cbor``)::

    1 "localgov-mobile-sync"   2 format version (1)
    3 [device certificate DER, governorate CA DER]   4 the device's clock now (NumericDate)
    5 [signed submissions (COSE_Sign1 bytes), ...]   at most 500, in any order
    ?6 the manifest: the device's signature over the SHA-256 of each of key 5's submissions
       (:mod:`localgov_mobile.manifest`); without it, each submission's own signature is checked

Answer::

    1 "localgov-mobile-sync-answer"   2 format version (1)   3 the server's clock (NumericDate)
    4 [{1 sequence, 2 outcome, ?3 request id, ?4 reason, 5 repeat (bool)}, ...]
    5 the next sequence the server expects from this device
    6 the device's clock minus the server's, in seconds
    7 the current bundle's sequence   8 the current bundle's digest (32 bytes)

Outcomes: ``accepted`` (received: key 3 is the tracking number), ``rejected`` (the catalogue of
the moment no longer accepts it: kept on the server with key 4 saying why, never lost),
``refused`` (revoked device, forged or malformed signature: recorded, not received; the tablet
keeps it), ``out_of_order`` (an earlier sequence is missing: sent again once it is in).
``repeat`` is true when the server had already decided that sequence: it answers the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from localgov.tokens import cbor
from localgov_mobile.errors import WireError
from localgov_mobile.manifest import MAX_MANIFEST
from localgov_mobile.wire import decode_map, numeric_date

__all__ = ["MAX_BATCH", "OUTCOMES", "Outcome", "SyncAnswer", "SyncRequest", "read_answer", "read_request"]

REQUEST_TYPE = "localgov-mobile-sync"
ANSWER_TYPE = "localgov-mobile-sync-answer"
FORMAT_VERSION = 1
MAX_BATCH = 500
MAX_ENVELOPE = 24 * 1024 * 1024
OUTCOMES = ("accepted", "rejected", "refused", "out_of_order")


@attrs.frozen
class SyncRequest:
    chain: tuple[bytes, ...]
    device_now: datetime
    envelopes: tuple[bytes, ...]
    manifest: bytes = b""  # none: a tablet that signs no manifest

    def encode(self) -> bytes:
        value: dict[int, object] = {
            1: REQUEST_TYPE,
            2: FORMAT_VERSION,
            3: list(self.chain),
            4: numeric_date(self.device_now),
            5: list(self.envelopes),
        }
        if self.manifest:
            value[6] = self.manifest
        return cbor.encode(value)


@attrs.frozen
class Outcome:
    sequence: int
    outcome: str
    request_id: str | None = None
    reason: str | None = None
    repeat: bool = False

    def to_wire(self) -> dict[int, object]:
        value: dict[int, object] = {1: self.sequence, 2: self.outcome, 5: self.repeat}
        if self.request_id is not None:
            value[3] = self.request_id
        if self.reason is not None:
            value[4] = self.reason
        return value


@attrs.frozen
class SyncAnswer:
    server_now: datetime
    outcomes: tuple[Outcome, ...]
    next_sequence: int
    clock_skew: int
    bundle_sequence: int
    bundle_digest: bytes

    def encode(self) -> bytes:
        return cbor.encode(
            {
                1: ANSWER_TYPE,
                2: FORMAT_VERSION,
                3: numeric_date(self.server_now),
                4: [o.to_wire() for o in self.outcomes],
                5: self.next_sequence,
                6: self.clock_skew,
                7: self.bundle_sequence,
                8: self.bundle_digest,
            }
        )


def _version(kind: str, value: object) -> None:
    if value != FORMAT_VERSION:
        raise WireError(f"{kind}: format version {str(value)[:20]} is not {FORMAT_VERSION}")


def read_request(data: bytes) -> SyncRequest:
    wire = decode_map(data, REQUEST_TYPE, max_depth=4)
    _version(REQUEST_TYPE, wire.value.get(2))
    chain = wire.get(
        3,
        lambda v: (
            isinstance(v, list) and 1 <= len(v) <= 3 and all(isinstance(c, bytes) and 0 < len(c) <= 8192 for c in v)
        ),
        "the device certificate and its CA's (DER)",
    )
    envelopes = wire.get(
        5,
        lambda v: (
            isinstance(v, list)
            and len(v) <= MAX_BATCH
            and all(isinstance(e, bytes) and 0 < len(e) <= MAX_ENVELOPE for e in v)
        ),
        f"a list of at most {MAX_BATCH} signed submissions",
    )
    manifest = wire.raw(6, limit=MAX_MANIFEST, optional=True)
    return SyncRequest(tuple(chain), wire.moment(4), tuple(envelopes), manifest or b"")


def _outcome(value: object) -> Outcome:
    if not isinstance(value, dict):
        raise WireError(f"{ANSWER_TYPE}: an outcome must be a map")
    sequence, outcome, request_id, reason, repeat = (value.get(k) for k in (1, 2, 3, 4, 5))
    if type(sequence) is not int or sequence < 0 or outcome not in OUTCOMES or not isinstance(repeat, bool):
        raise WireError(f"{ANSWER_TYPE}: an outcome must be {{1 sequence, 2 one of {', '.join(OUTCOMES)}, 5 repeat}}")
    if request_id is not None and not isinstance(request_id, str) or reason is not None and not isinstance(reason, str):
        raise WireError(f"{ANSWER_TYPE}: an outcome's request id and reason are texts")
    return Outcome(sequence, str(outcome), request_id, reason, repeat)


def read_answer(data: bytes) -> SyncAnswer:
    wire = decode_map(data, ANSWER_TYPE, max_depth=4)
    _version(ANSWER_TYPE, wire.value.get(2))
    outcomes: Sequence[object] = wire.get(
        4, lambda v: isinstance(v, list) and len(v) <= MAX_BATCH, "a list of outcomes"
    )
    return SyncAnswer(
        server_now=wire.moment(3),
        outcomes=tuple(_outcome(o) for o in outcomes),
        next_sequence=wire.integer(5, minimum=1),
        clock_skew=wire.get(6, lambda v: type(v) is int and abs(v) < 2**40, "a number of seconds"),
        bundle_sequence=wire.integer(7),
        bundle_digest=wire.get(8, lambda v: isinstance(v, bytes) and len(v) in (0, 32), "32 bytes"),
    )
