"""Who may act on a request: roles, the unit, separation of duties, assignment, and the checks that
go with an action (its date, the exemptions granted with it).

Separation of duties is the engine's, never the caller's: every action passes through
:meth:`Authorisation.acting_role`, which is also how :meth:`localgov.requests.Engine.allowed_actions`
filters what an actor is offered.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from localgov.catalogue import ServiceDefinition, WorkflowAction
from localgov.fees import GrantedExemption
from localgov.organisation import StaffMember
from localgov.requests.context import EngineContext
from localgov.requests.errors import (
    ActionNotAllowed,
    NotAssigned,
    RoleNotAllowed,
    SeparationOfDuties,
)
from localgov.requests.model import Actor, Citizen, Request, SystemActor

__all__ = ["Authorisation"]


class Authorisation:
    def __init__(self, context: EngineContext) -> None:
        self._context = context

    def acting_role(self, request: Request, action: WorkflowAction, actor: Actor, role: str | None) -> str:
        """The role ``actor`` takes ``action`` in; refuse if none, or if a duty rule forbids it."""
        usable = [r for r in action.roles if r in actor.roles]
        if role is not None:
            if role not in actor.roles:
                raise RoleNotAllowed(f"{actor.id} does not hold role {role!r}")
            usable = [role] if role in action.roles else []
        if not usable:
            raise RoleNotAllowed(
                f"{action.code!r} is for {', '.join(action.roles)}; {actor.id} holds {', '.join(sorted(actor.roles)) or 'no role'}"
            )
        if isinstance(actor, Citizen) and actor.national_id != request.applicant.national_id:
            raise RoleNotAllowed("only the applicant may act as the applicant")
        if isinstance(actor, StaffMember):
            if actor.unit != request.unit:
                raise RoleNotAllowed(f"{actor.id} works at {actor.unit!r}; the request is at {request.unit!r}")
            if actor.national_id is not None and actor.national_id == request.applicant.national_id:
                raise SeparationOfDuties(f"{actor.id} is the applicant of {request.id} and may not act on it")
        workflow = self._context.workflow_of(request).definition
        if action.duty is not None:
            for rule in workflow.separation_of_duties:
                if action.duty in rule.forbids and actor.id in request.duties.get(rule.performed, ()):
                    raise SeparationOfDuties(
                        f"{actor.id} performed {rule.performed!r} on {request.id} and so may not perform "
                        f"{action.duty!r} on it (separation of duties)"
                    )
        if isinstance(actor, StaffMember) and request.assigned_to not in (None, actor.id):
            # The step is assigned to one employee; another employee in the same role may not
            # take it over, but someone in another role (an approver rejecting early) may act.
            assignee = self._context.staff.get(request.assigned_to)
            if assignee is not None and usable[0] in assignee.roles:
                raise NotAssigned(f"{request.id} is assigned to another employee")
        return usable[0]

    def check_exemptions(
        self, action: WorkflowAction, actor: Actor, exemptions: Sequence[GrantedExemption], service: ServiceDefinition
    ) -> None:
        """Exemptions go with the fee assessment, granted by the actor, from fees the service charges."""
        if not exemptions:
            return
        if "assess_fees" not in action.effects:
            raise ActionNotAllowed(f"exemptions are granted with the fee assessment, not with {action.code!r}")
        charged = {fee.rule for fee in service.fees}
        for exemption in exemptions:
            if exemption.granted_by != actor.id:
                raise RoleNotAllowed(f"{actor.id} cannot record an exemption granted by {exemption.granted_by!r}")
            if exemption.rule not in charged:
                raise ActionNotAllowed(f"{service.code} charges no fee {exemption.rule!r} to exempt")

    def check_time(self, request: Request, at: datetime.datetime) -> None:
        """An action may not be dated before the request's submission or its last pause."""
        today = self._context.today(at)
        if today < self._context.today(request.submitted_at) or (
            request.paused_since is not None and today < request.paused_since
        ):
            raise ActionNotAllowed(f"the action's date {today.isoformat()} is before the request's last change")

    def sees_applicant(self, request: Request, actor: Actor) -> bool:
        """Whether ``actor`` may see who asked: the one window hides the applicant from deciders."""
        if isinstance(actor, SystemActor):
            return True
        if isinstance(actor, Citizen):  # a citizen sees their own requests only
            return actor.national_id == request.applicant.national_id
        roles = self._context.catalogue.roles
        return any(roles[r].sees_applicant for r in actor.roles if r in roles)

    def is_personal(self, request: Request, field_name: str) -> bool:
        """Whether a form field identifies the applicant (hidden with the applicant)."""
        form_field = self._context.catalogue.service(request.service, request.governorate).field(field_name)
        return form_field is not None and form_field.type.value in {"national_id", "mobile"}
