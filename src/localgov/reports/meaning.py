"""What each state and action means for the figures, read from the catalogue's workflows.

A workflow names its states freely; reports need to know which final states complete a service,
which pauses wait on the applicant and which on a payment, and which actions send a request back.
The rules are stated once here (and in docs/reports.md) so every figure counts the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from localgov.catalogue import Catalogue, WorkflowState

__all__ = ["Meanings", "StateMeaning"]

COMPLETED, REJECTED, WITHDRAWN = "completed", "rejected", "withdrawn"
# The engine's steps that record a fact and decide nothing (Engine.record_refund, record_originals,
# record_letter).
_RECORDS = frozenset({"refund", "originals", "letter"})
OUTCOMES = (COMPLETED, REJECTED, WITHDRAWN)


@attrs.frozen
class StateMeaning:
    final: bool
    clock: str  # running or paused
    pause_kind: str | None  # applicant or payment
    outcome: str | None  # completed, rejected or withdrawn, for a final state
    # The clock stands still here while letters about the request await their replies.
    letters_pause_clock: bool = False


def _state_meaning(state: WorkflowState) -> StateMeaning:
    paused = state.clock == "paused"
    # A pause waits on a payment when the state says so (awaiting_payment); any other pause waits
    # on the applicant (a missing document or statement).
    pause_kind = ("payment" if "payment" in state.code else "applicant") if paused else None
    outcome = None
    if state.final:
        # A final state ends the service unless it is a refusal or a withdrawal: Cairo's burial
        # plots end "allocated", which issues no document but completes the service all the same.
        outcome = REJECTED if "reject" in state.code else WITHDRAWN if "withdraw" in state.code else COMPLETED
    return StateMeaning(state.final, "paused" if paused else "running", pause_kind, outcome, state.letters_pause_clock)


_UNKNOWN = StateMeaning(final=False, clock="running", pause_kind=None, outcome=None)


@attrs.frozen
class Meanings:
    """The meanings of every workflow's states, and each service's workflow, department and limit."""

    states: Mapping[tuple[str, str], StateMeaning]
    service_workflow: Mapping[str, str]
    service_department: Mapping[str, str]
    service_limit: Mapping[str, int]

    @classmethod
    def of(cls, catalogue: Catalogue) -> Meanings:
        states = {
            (workflow.code, state.code): _state_meaning(state)
            for workflow in catalogue.workflows.values()
            for state in workflow.states
        }
        services = catalogue.services.values()
        return cls(
            states=states,
            service_workflow={s.code: s.workflow for s in services},
            service_department={s.code: s.department for s in services},
            service_limit={s.code: s.time_limit_days for s in services},
        )

    def state(self, service: str, state: str) -> StateMeaning:
        workflow = self.service_workflow.get(service)
        return self.states.get((workflow, state), _UNKNOWN) if workflow is not None else _UNKNOWN

    def step_kind(self, service: str, seq: int, action: str, from_state: str | None, to_state: str) -> str:
        """submit, payment, record, complete, reject, withdraw, send_back (to the applicant) or advance.

        ``record`` is a fact written down without a decision and without a move: a refund, the
        movement of paper originals by mail (the state they name is the one the request stays in).
        """
        if seq == 1 or from_state is None:
            return "submit"
        if action == "payment":
            return "payment"
        if action in _RECORDS:
            return "record"
        meaning = self.state(service, to_state)
        if meaning.outcome == COMPLETED:
            return "complete"
        if meaning.outcome in (REJECTED, WITHDRAWN):
            return "reject" if meaning.outcome == REJECTED else "withdraw"
        if meaning.pause_kind == "applicant" and from_state != to_state:
            return "send_back"
        return "advance"
