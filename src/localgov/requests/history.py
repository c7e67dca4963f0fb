"""The tamper-evident history: each event's hash covers its content and the previous event's hash.

The hash is an HMAC-SHA256 under the deployment's audit key. With a key that lives outside the
database, someone who can write the database but does not hold the key cannot forge a history
that verifies; with no key (empty) the chain still reveals any edit, deletion, insertion or
reordering made without recomputing every later hash.

Each request has its own chain (so requests never wait on one another) anchored in the request
row by the hash of its last event and the number of events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from localgov.requests.ports import EventRow, RequestRow

__all__ = ["canonical_json", "chain_hash", "genesis_hash", "verify_chain"]


def genesis_hash(request_id: str) -> str:
    """The 'previous hash' of a request's first event: binds the chain to its request."""
    return hashlib.sha256(f"localgov/history/v1/{request_id}".encode()).hexdigest()


def canonical_json(fields: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash covers (and a letter's signature, localgov.correspondence): JSON, keys sorted, no spaces, UTF-8 (Arabic unescaped).

    These are exactly the bytes of ``json.dumps(fields, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` for what history data holds (text, integers, booleans, null, arrays
    and objects; amounts are decimal strings, never floats): orjson writes them several times
    faster, and the property tests hold the two to the same bytes. orjson refuses integers
    beyond 64 bits, which the json module then encodes.
    """
    try:
        return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(
    key: bytes,
    *,
    request_id: str,
    at: str,
    actor: str,
    role: str,
    action: str,
    from_state: str | None,
    to_state: str,
    data: Mapping[str, Any],
    prev_hash: str,
) -> str:
    # The sequence number is left out on purpose: order comes from the chain itself, so two events
    # whose numbers were swapped are reported as reordered rather than as edited.
    fields = {
        "request": request_id,
        "at": at,
        "actor": actor,
        "role": role,
        "action": action,
        "from": from_state,
        "to": to_state,
        "data": data,
        "prev": prev_hash,
    }
    return hmac.digest(key, canonical_json(fields), "sha256").hex()


def _recompute(key: bytes, event: EventRow) -> str:
    return chain_hash(
        key,
        request_id=event.request_id,
        at=event.at,
        actor=event.actor,
        role=event.role,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        data=event.data,
        prev_hash=event.prev_hash,
    )


def verify_chain(key: bytes, request: RequestRow, events: Sequence[EventRow]) -> list[str]:
    """Every finding about one request's history; an empty list means it verifies."""
    findings: list[str] = []
    genuine = {e.hash for e in events if _recompute(key, e) == e.hash}
    position_of = {e.hash: i for i, e in enumerate(events)}
    for event in events:
        if event.hash not in genuine:
            findings.append(f"event {event.seq} ({event.action}) was edited: its content does not match its hash")
    numbers = [e.seq for e in events]
    for missing in sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers)):
        findings.append(f"event {missing} is missing (deleted)")
    for seq in sorted({n for n in numbers if numbers.count(n) > 1}):
        findings.append(f"event {seq} appears more than once (inserted)")

    expected_prev = genesis_hash(request.id)
    for index, event in enumerate(events):
        if event.prev_hash != expected_prev:
            if event.prev_hash in position_of and position_of[event.prev_hash] > index:
                later = events[position_of[event.prev_hash]]
                findings.append(f"events {event.seq} and {later.seq} are out of order (reordered)")
            elif event.prev_hash not in position_of and event.prev_hash != genesis_hash(request.id):
                findings.append(f"event {event.seq} does not follow a stored event: an event before it was deleted")
            elif event.hash in genuine:
                findings.append(f"event {event.seq} is not where its chain puts it (inserted or moved)")
        expected_prev = event.hash

    if events and request.head_hash != events[-1].hash:
        if request.head_hash in position_of:
            after = events[position_of[request.head_hash]].seq
            findings.append(f"events after {after} were not recorded by localgov (inserted)")
        else:
            findings.append(
                f"the last recorded event is missing: the request expects {request.event_count} events, {len(events)} are stored (deleted)"
            )
    elif request.event_count != len(events) and not any("missing" in f or "inserted" in f for f in findings):
        findings.append(f"the request expects {request.event_count} events, {len(events)} are stored")
    # The searchable columns repeat what the request record (data) says; an edit to one of them
    # alone (rewinding head and count to hide a deleted event, say) shows as a disagreement.
    record = request.data
    expected = record.get("event_count")
    if isinstance(expected, int) and expected > len(events):
        lost = ", ".join(str(n) for n in range(len(events) + 1, expected + 1))
        findings.append(
            f"event {lost} is missing: the request's record expects {expected} events, {len(events)} are stored (deleted)"
        )
    for column, value in (
        ("head_hash", request.head_hash),
        ("event_count", request.event_count),
        ("state", request.state),
        ("version", request.version),
    ):
        if record.get(column) != value:
            findings.append(
                f"the request row's {column} ({value!r}) disagrees with its record ({record.get(column)!r}): edited"
            )
    if events and request.state != events[-1].to_state:
        findings.append(f"the request's state {request.state!r} disagrees with its history ({events[-1].to_state!r})")
    return _unique(findings)


def _unique(findings: list[str]) -> list[str]:
    seen: set[str] = set()
    return [f for f in findings if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
