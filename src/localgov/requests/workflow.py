"""Workflow definitions compiled into state machines: one ``transitions`` machine per definition.

A machine is never built per request (building one costs milliseconds and a shared machine with
many registered models slows down with each): requests are not registered as models at all. To
move a request, the engine fires the event on a throwaway cursor that holds only the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from transitions import Machine, MachineError

from localgov.catalogue import Catalogue, WorkflowAction, WorkflowDefinition, WorkflowState
from localgov.catalogue.checks import RETURN
from localgov.requests.errors import ActionNotAllowed

__all__ = ["CompiledWorkflow", "compile_workflows"]


class _Cursor:
    """The only object the machine ever sees: a state and where to return after a send-back."""

    __slots__ = ("return_to", "state")

    def __init__(self, state: str, return_to: str | None) -> None:
        self.state, self.return_to = state, return_to


def _returns_to(target: str) -> Any:
    def condition(event: Any) -> bool:
        return bool(event.model.return_to == target)

    return condition


class CompiledWorkflow:
    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self.actions: Mapping[str, WorkflowAction] = {a.code: a for a in definition.actions}
        self.states: Mapping[str, WorkflowState] = {s.code: s for s in definition.states}
        # States in which the request waits on the applicant: an action from there returns
        # ("@return") to the step that sent it back.
        self.send_back_states = frozenset(
            source for a in definition.actions if a.dest == RETURN for source in a.sources
        )
        self.machine = Machine(
            model=None,
            states=[s.code for s in definition.states],
            transitions=self._transitions(),
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
        )
        self._allowed: dict[str, tuple[WorkflowAction, ...]] = {
            state.code: tuple(self.actions[t] for t in self.machine.get_triggers(state.code))
            for state in definition.states
        }
        self._moves: dict[tuple[str, str, str | None], str] = {}
        #: States from which the system itself may act (once a payment is confirmed, say).
        self.system_states = frozenset(
            source for a in definition.actions if "system" in a.roles for source in a.sources
        )

    def _transitions(self) -> list[dict[str, Any]]:
        compiled: list[dict[str, Any]] = []
        for action in self.definition.actions:
            if action.dest != RETURN:
                compiled.append({"trigger": action.code, "source": list(action.sources), "dest": action.dest})
                continue
            # "@return" becomes one conditional transition per state that can send a request here.
            for target in self.return_targets(action):
                compiled.append(
                    {
                        "trigger": action.code,
                        "source": list(action.sources),
                        "dest": target,
                        "conditions": [_returns_to(target)],
                    }
                )
        return compiled

    def return_targets(self, returning: WorkflowAction) -> list[str]:
        """States with an action leading into a source of ``returning``: where a send-back came from."""
        return sorted({source for a in self.definition.actions if a.dest in returning.sources for source in a.sources})

    def state(self, code: str) -> WorkflowState | None:
        return self.states.get(code)

    def allowed_actions(self, state: str) -> tuple[WorkflowAction, ...]:
        return self._allowed.get(state, ())

    def action(self, code: str) -> WorkflowAction:
        try:
            return self.actions[code]
        except KeyError:
            known = ", ".join(sorted(self.actions))
            raise ActionNotAllowed(
                f"workflow {self.definition.code!r} has no action {code!r} (actions: {known})"
            ) from None

    def fire(self, state: str, action: str, return_to: str | None) -> str:
        """The state after ``action`` from ``state``; :class:`ActionNotAllowed` if it cannot be taken.

        The machine's answer depends on nothing but these three values (its only conditions
        compare ``return_to``; it has no callbacks), so each move it allows is decided by the
        machine once and then kept: firing an event through ``transitions`` costs more than
        the rest of a decision's checks together.
        """
        key = (state, action, return_to)
        target = self._moves.get(key)
        if target is None:
            target = self._moves[key] = self._fire(state, action, return_to)
        return target

    def _fire(self, state: str, action: str, return_to: str | None) -> str:
        cursor = _Cursor(state, return_to)
        try:
            moved = self.machine.events[action].trigger(cursor)
        except (MachineError, KeyError):
            moved = False
        if not moved:
            allowed = ", ".join(a.code for a in self.allowed_actions(state)) or "none"
            raise ActionNotAllowed(f"action {action!r} is not allowed in state {state!r} (allowed: {allowed})")
        return cursor.state

    @cached_property
    def mermaid(self) -> str:
        """A Mermaid state diagram of the workflow, generated from its definition."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.definition.initial}"]
        for state in self.definition.states:
            lines.append(f"    {state.code}: {state.name.en} / {state.name.ar}")
        for action in self.definition.actions:
            targets = self.return_targets(action) if action.dest == RETURN else [action.dest]
            for source in action.sources:
                for target in targets:
                    lines.append(f"    {source} --> {target}: {action.code}")
        for state in self.definition.states:
            if state.final:
                lines.append(f"    {state.code} --> [*]")
        return "\n".join(lines)


def compile_workflows(catalogue: Catalogue) -> dict[str, CompiledWorkflow]:
    return {code: CompiledWorkflow(definition) for code, definition in catalogue.workflows.items()}
