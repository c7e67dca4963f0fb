"""Every refusal of the lifecycle engine, each its own exception with a message that says why."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = [
    "ActionNotAllowed",
    "CommentRequired",
    "Conflict",
    "GuardFailed",
    "IdempotencyKeyReused",
    "InvalidDocument",
    "InvalidForm",
    "InvalidPayment",
    "InvalidSubmission",
    "NotAssigned",
    "RequestError",
    "RoleNotAllowed",
    "SeparationOfDuties",
    "TamperedHistory",
    "TamperedRecord",
    "UnknownRequest",
    "UnreadableRecord",
]


class RequestError(LocalgovError):
    """Base class of the engine's refusals."""


class UnknownRequest(RequestError):
    def __init__(self, request_id: str) -> None:
        super().__init__(f"no request with tracking number {request_id!r}")
        self.request_id = request_id


class InvalidSubmission(RequestError):
    """The submission names a unit, channel or service point that cannot take it."""


class InvalidForm(RequestError):
    """Form data does not match the service's fields; :attr:`problems` maps field to reason."""

    def __init__(self, service: str, problems: dict[str, str]) -> None:
        self.service, self.problems = service, problems
        listed = "; ".join(f"{name}: {reason}" for name, reason in problems.items())
        super().__init__(f"invalid form for {service}: {listed}")


class InvalidDocument(RequestError):
    """A document of an unknown type, a type not accepted, or too large."""


class InvalidPayment(RequestError):
    """A payment amount that is not exact, positive pounds and piastres."""


class ActionNotAllowed(RequestError):
    """The action does not exist in the workflow or cannot be taken from the current state."""


class RoleNotAllowed(RequestError):
    """The actor does not hold a role the action is granted to (at this unit)."""


class NotAssigned(RoleNotAllowed):
    """The case is assigned to another employee of the same role."""


class SeparationOfDuties(RequestError):
    """The actor performed a duty on this request that bars them from this one, or is its applicant."""


class GuardFailed(RequestError):
    """A condition of the action does not hold (documents missing, fees unpaid...)."""


class CommentRequired(RequestError):
    """The action must state a reason (a rejection, a request for a missing document)."""


class Conflict(RequestError):
    """Someone else changed the request first; reload it and decide again."""


class IdempotencyKeyReused(RequestError):
    """The idempotency key was already used for a different submission."""


class TamperedHistory(RequestError):
    """A request's stored history does not verify; :attr:`findings` names each problem."""

    def __init__(self, request_id: str, findings: list[str]) -> None:
        self.request_id, self.findings = request_id, findings
        super().__init__(f"history of {request_id} does not verify: " + "; ".join(findings))


class UnreadableRecord(RequestError):
    """A stored request record in a format this release cannot read (written by a newer one)."""


class TamperedRecord(RequestError):
    """A stored request record that is not as the engine sealed it: changed outside localgov."""
