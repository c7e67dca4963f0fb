"""The paper originals of a request taken where they cannot be kept: sent by registered mail, tracked.

A channel whose originals travel by registered mail (the post office's) hands the applicant's paper
originals to the post, under a UPU S10 item identifier; the district records their arrival, or that
they went missing. Each movement is an event of the request's history, so who sent what and who
received it is as tamper-evident as any decision, and the back office can wait for the originals
(the ``originals_received`` guard) before deciding.

The chain of custody has two hands: the one who records an item's arrival is not the one who sent
it. An item is sent once; it then arrives or goes missing, and a missing item may still arrive
later. Recording the same movement again changes nothing (a retried call).
"""

from __future__ import annotations

import datetime
from typing import Any

from localgov.catalogue import OriginalsHandling
from localgov.mail import InvalidItemIdentifier, S10Identifier
from localgov.organisation import StaffMember
from localgov.requests.acting import read_request
from localgov.requests.context import EngineContext
from localgov.requests.errors import (
    ActionNotAllowed,
    InvalidSubmission,
    RoleNotAllowed,
    SeparationOfDuties,
)
from localgov.requests.model import OriginalsMovement, Request
from localgov.requests.moves import Step
from localgov.requests.ports import Store
from localgov.requests.recording import Recorder

__all__ = ["MOVEMENTS", "RECEIVING_ROLE", "Originals"]

#: Who records what became of the originals at the district: the role that checks documents
#: against their originals.
RECEIVING_ROLE = "document_checker"

#: What may be recorded of an item, and what it may follow (None: the item's first movement).
MOVEMENTS: dict[str, frozenset[str | None]] = {
    "sent": frozenset({None}),
    "arrived": frozenset({"sent", "missing"}),
    "missing": frozenset({"sent"}),
}


def _last(request: Request, item: str) -> OriginalsMovement | None:
    return next((m for m in reversed(request.originals) if m.item == item), None)


class Originals:
    def __init__(self, context: EngineContext, store: Store, recorder: Recorder) -> None:
        self._context = context
        self._store = store
        self._recorder = recorder

    def record(
        self, request_id: str, *, item: str, status: str, actor: StaffMember, at: datetime.datetime | None
    ) -> Request:
        if status not in MOVEMENTS:
            raise InvalidSubmission(f"originals are {', '.join(MOVEMENTS)}, not {status!r}")
        try:
            identifier = S10Identifier.parse(item)
        except InvalidItemIdentifier as error:
            raise InvalidSubmission(f"item: {error}") from None
        if not identifier.registered:
            raise InvalidSubmission(f"item {identifier}: originals travel by registered mail (an R… item)")
        context = self._context
        at = at or context.clock()
        with self._store.transaction() as transaction:
            request = read_request(context, transaction, request_id)
            channel = context.catalogue.channels[request.channel]
            if channel.originals is not OriginalsHandling.REGISTERED_MAIL:
                raise ActionNotAllowed(
                    f"{request_id} came through {request.channel!r}, whose originals do not travel by mail"
                )
            last = _last(request, str(identifier))
            if last is not None and last.status == status:
                return request  # recorded already
            previous = None if last is None else last.status
            if previous not in MOVEMENTS[status]:
                after = "before it was sent" if previous is None else f"after it was {previous}"
                raise ActionNotAllowed(f"{request_id}: item {identifier} cannot be recorded {status} {after}")
            role = self._role(request, actor, status, channel.clerk_role, str(identifier))
            movement = OriginalsMovement(str(identifier), status, at.isoformat(), actor.id)
            recorded: dict[str, Any] = {"item": movement.item, "status": status}
            step = Step("originals", actor.id, role, request.state, {"changes": {"originals": recorded}})
            attributes: dict[str, Any] = {"originals": (*request.originals, movement)}
            current, events = self._recorder.commit(transaction, request, attributes, [step], at)
        self._recorder.announce(current, events)
        return current

    @staticmethod
    def _role(request: Request, actor: StaffMember, status: str, clerk_role: str | None, item: str) -> str:
        """The counter's clerk sends; a document checker of the district, not the sender, receives."""
        if status == "sent":
            if clerk_role is None or clerk_role not in actor.roles:
                raise RoleNotAllowed(
                    f"{actor.id} does not hold {clerk_role or 'the counter role'}: they cannot send originals"
                )
            return clerk_role
        if RECEIVING_ROLE not in actor.roles or actor.unit != request.unit:
            raise RoleNotAllowed(
                f"the originals of {request.id} are received by a {RECEIVING_ROLE} of {request.unit!r}"
            )
        sender = next(m.by for m in request.originals if m.item == item and m.status == "sent")
        if sender == actor.id:
            raise SeparationOfDuties(f"{actor.id} sent item {item}: someone else records what became of it")
        return RECEIVING_ROLE
