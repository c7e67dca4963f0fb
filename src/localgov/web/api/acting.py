"""Acting on a request over HTTP, so that a retried POST never acts twice.

Every action names the version the employee decided on (``expected_version``): a blind retry of an
action that went through finds a newer version and is refused with 409, never taken again. With an
``Idempotency-Key`` the retry gets the success it missed instead. The key is claimed, before
acting, with the number of events the request had at that version; the engine then acts only at
that version, so the action, if it happened, is the very next event of the history. A retry
therefore reads one event to know what happened: that event is the caller's action (done: answer
with the request), someone else's (the first try lost the race: 409 again), or there is none yet
(the first try never acted, or was refused: try again, and get the same answer).

The store's idempotency column holds 64 characters: the first 56 are the digest of what was asked
(request, action, comment, role, version, documents), the last 8 the event count in hexadecimal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from localgov.organisation import StaffMember
from localgov.requests import Conflict, DocumentUpload, IdempotencyKeyReused, Request
from localgov.web.api.submission import caller_key
from localgov.web.api.wire import ActIn
from localgov.web.context import WebContext

__all__ = ["act_once"]

_DIGEST = 56


def act_once(
    context: WebContext,
    number: str,
    order: ActIn,
    staff: StaffMember,
    documents: Sequence[DocumentUpload],
    idempotency_key: str | None,
) -> tuple[Request, bool]:
    """Take the action; return the request after it and whether this call only found it already done."""
    key = caller_key("act", staff.id, idempotency_key)
    if key is None:
        return _act(context, number, order, staff, documents), False
    asked = _asked(number, order, documents)
    store = context.engine.store
    for _ in range(2):
        found = store.idempotent_request(key)
        if found is not None:
            return _replay(context, number, order, staff, documents, found, asked)
        current = context.engine.get(number)
        if current.version != order.expected_version:
            return _act(context, number, order, staff, documents), False  # refused with Conflict
        try:
            with store.transaction() as transaction:
                transaction.claim_idempotency_key(key, f"{asked}{current.event_count:08x}", number)
        except IdempotencyKeyReused:
            continue  # a concurrent retry claimed it first: answer as it does
        return _act(context, number, order, staff, documents), False
    raise Conflict(f"{number}: the idempotency key is being used by another call at this moment; retry")


def _replay(
    context: WebContext,
    number: str,
    order: ActIn,
    staff: StaffMember,
    documents: Sequence[DocumentUpload],
    found: tuple[str, str],
    asked: str,
) -> tuple[Request, bool]:
    claimed_for, fingerprint = found
    if claimed_for != number or fingerprint[:_DIGEST] != asked:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different action: choose a new key")
    before = int(fingerprint[_DIGEST:], 16)
    history = context.engine.history(number)
    if len(history) <= before:
        return _act(context, number, order, staff, documents), False
    following = history[before]
    if following.actor == staff.id and following.action == order.action:
        return context.engine.get(number), True
    raise Conflict(f"{number} changed since version {order.expected_version}: reload it and decide again")


def _act(
    context: WebContext, number: str, order: ActIn, staff: StaffMember, documents: Sequence[DocumentUpload]
) -> Request:
    return context.engine.act(
        number,
        order.action,
        staff,
        role=order.role,
        comment=order.comment,
        documents=documents,
        expected_version=order.expected_version,
    )


def _asked(number: str, order: ActIn, documents: Sequence[DocumentUpload]) -> str:
    content = [
        number,
        order.action,
        order.comment,
        order.role,
        order.expected_version,
        [(d.type, hashlib.sha256(d.content).hexdigest()) for d in documents],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:_DIGEST]
