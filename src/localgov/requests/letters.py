"""Letters about a request (localgov.correspondence) whose replies the request waits on.

When a unit writes to another about a request (a technical review asking the survey department),
the letter's number joins the request's ``letters_awaited``, and leaves it when the reply comes.
Each is an event of the request's history. Where the workflow says so
(``letters_pause_clock`` on the request's state), the request's time limit stands still while
any letter is awaited: the working days it waited are added to its due date when the last reply
arrives, as for a state whose clock is paused (:func:`localgov.requests.moves.clock_stands_still`).
Recording the same wait, or the same reply, again changes nothing (a retried call).
"""

from __future__ import annotations

import datetime
from typing import Any

from localgov.organisation import StaffMember
from localgov.requests.acting import read_request
from localgov.requests.context import EngineContext
from localgov.requests.errors import ActionNotAllowed
from localgov.requests.model import Request
from localgov.requests.moves import Step, clock_stands_still
from localgov.requests.ports import Store
from localgov.requests.recording import Recorder

__all__ = ["LETTER_ROLE", "LetterWaits"]

#: The role a letter's event is recorded under in the request's history.
LETTER_ROLE = "correspondence"


class LetterWaits:
    def __init__(self, context: EngineContext, store: Store, recorder: Recorder) -> None:
        self._context = context
        self._store = store
        self._recorder = recorder

    def record(
        self, request_id: str, *, letter: str, awaited: bool, actor: StaffMember, at: datetime.datetime | None
    ) -> Request:
        context = self._context
        at = at or context.clock()
        with self._store.transaction() as transaction:
            request = read_request(context, transaction, request_id)
            if awaited == (letter in request.letters_awaited):
                return request  # recorded already
            if awaited and request.closed:
                raise ActionNotAllowed(f"{request_id} is closed: it waits on no letter")
            state = context.workflow_of(request).state(request.state)
            assert state is not None
            letters = (
                (*request.letters_awaited, letter)
                if awaited
                else tuple(number for number in request.letters_awaited if number != letter)
            )
            today = context.today(at)
            attributes: dict[str, Any] = {"letters_awaited": letters}
            changes: dict[str, Any] = {"letter": {"number": letter, "status": "awaited" if awaited else "answered"}}
            before, after = (clock_stands_still(state, request.letters_awaited), clock_stands_still(state, letters))
            if not before and after and request.paused_since is None:
                attributes["paused_since"] = today
            elif before and not after and request.paused_since is not None:
                paused = context.calendar.working_days_between(request.paused_since, today)
                if paused > 0:
                    attributes["due_date"] = context.calendar.add_working_days(request.due_date, paused)
                    changes["due_date"] = attributes["due_date"].isoformat()
                attributes["paused_since"] = None
            step = Step("letter", actor.id, LETTER_ROLE, request.state, {"changes": changes})
            current, events = self._recorder.commit(transaction, request, attributes, [step], at)
        self._recorder.announce(current, events)
        return current
