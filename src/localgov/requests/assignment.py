"""Blind, load-balanced assignment: who takes a request's next step.

The employee is chosen by the engine, never by the citizen or by a colleague: among those of the
request's unit who hold a role the step needs, who are not its applicant and whom separation of
duties does not bar, the one with the fewest open cases (ties by staff id, so the choice is
reproducible).
"""

from __future__ import annotations

from collections.abc import Mapping

from localgov.catalogue import WorkflowAction
from localgov.requests.context import EngineContext
from localgov.requests.model import Request
from localgov.requests.ports import Transaction
from localgov.requests.workflow import CompiledWorkflow

__all__ = ["Assignment"]


class Assignment:
    def __init__(self, context: EngineContext) -> None:
        self._context = context
        # Each state's main step, worked out once: it depends only on the definitions.
        self._main_steps = {
            (code, state.code): main
            for code, workflow in context.workflows.items()
            for state in workflow.definition.states
            if (main := self._main_step(workflow, state.code)) is not None
        }

    def _main_step(self, workflow: CompiledWorkflow, state_code: str) -> tuple[WorkflowAction, frozenset[str]] | None:
        """A state's main step: its first action that blind back-office roles take, and those roles."""
        roles_defined = self._context.catalogue.roles
        for action in workflow.allowed_actions(state_code):
            roles = frozenset(r for r in action.roles if r != "system" and not roles_defined[r].sees_applicant)
            if roles:
                return action, roles
        return None

    def assignee(
        self, transaction: Transaction, request: Request, state_code: str, duties: Mapping[str, tuple[str, ...]]
    ) -> str | None:
        """The employee to take ``request`` in ``state_code``, or ``None`` if nobody is to.

        Nobody is assigned while the request waits on the applicant or on a payment. ``duties``
        are the request's duties once the current action is done (its performer may be barred
        from the next step).
        """
        context = self._context
        workflow = context.workflow_of(request)
        state = workflow.state(state_code)
        if not context.staff or state is None or state.final or state.clock == "paused":
            return None
        main = self._main_steps.get((workflow.definition.code, state_code))
        if main is None:
            return None
        action, roles = main
        rules = workflow.definition.separation_of_duties
        eligible = [
            member
            for member in context.staff.values()
            if member.unit == request.unit
            and roles & member.roles
            and (member.national_id is None or member.national_id != request.applicant.national_id)
            and not (
                action.duty is not None
                and any(action.duty in rule.forbids and member.id in duties.get(rule.performed, ()) for rule in rules)
            )
        ]
        if not eligible:
            return None
        load = transaction.workload([m.id for m in eligible])
        return min(eligible, key=lambda m: (load.get(m.id, 0), m.id)).id
