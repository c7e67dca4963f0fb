"""Citizens' requests and the lifecycle engine that moves them.

An application needs these names: the :class:`Engine` (built by :meth:`localgov.Localgov.engine`),
the values it takes and returns (:class:`Applicant`, :class:`DocumentUpload`, :class:`Request`,
:class:`Event`, :class:`StatusView`...), the actors (:class:`Citizen`, :data:`SYSTEM`; staff are
:class:`localgov.organisation.StaffMember`) and the engine's refusals, all subclasses of
:class:`RequestError`. Storage adapters implement :mod:`localgov.requests.ports`.
"""

from localgov.requests.checkpointer import Checkpointer
from localgov.requests.checkpoints import AuditCheckpoint, ChainHead, InvalidCheckpoint
from localgov.requests.engine import Engine
from localgov.requests.errors import (
    ActionNotAllowed,
    CommentRequired,
    Conflict,
    GuardFailed,
    IdempotencyKeyReused,
    InvalidDocument,
    InvalidForm,
    InvalidPayment,
    InvalidSubmission,
    NotAssigned,
    RequestError,
    RoleNotAllowed,
    SeparationOfDuties,
    TamperedHistory,
    TamperedRecord,
    UnknownRequest,
    UnreadableRecord,
)
from localgov.requests.guards import Guard, GuardSubject
from localgov.requests.hooks import LifecycleHooks
from localgov.requests.model import (
    SYSTEM,
    Actor,
    Applicant,
    AttachedDocument,
    Citizen,
    Event,
    Issued,
    Payment,
    PaymentRefund,
    Request,
    SystemActor,
)
from localgov.requests.ports import EventRow, NoticeRow, RequestQuery, Store, SummaryRow
from localgov.requests.uploads import DocumentUpload
from localgov.requests.views import Overdue, StatusView

__all__ = [
    "SYSTEM",
    "ActionNotAllowed",
    "Actor",
    "Applicant",
    "AttachedDocument",
    "AuditCheckpoint",
    "ChainHead",
    "Checkpointer",
    "Citizen",
    "CommentRequired",
    "Conflict",
    "DocumentUpload",
    "Engine",
    "Event",
    "EventRow",
    "Guard",
    "GuardFailed",
    "GuardSubject",
    "IdempotencyKeyReused",
    "InvalidCheckpoint",
    "InvalidDocument",
    "InvalidForm",
    "InvalidPayment",
    "InvalidSubmission",
    "Issued",
    "LifecycleHooks",
    "NotAssigned",
    "NoticeRow",
    "Overdue",
    "Payment",
    "PaymentRefund",
    "Request",
    "RequestError",
    "RequestQuery",
    "RoleNotAllowed",
    "SeparationOfDuties",
    "StatusView",
    "Store",
    "SummaryRow",
    "SystemActor",
    "TamperedHistory",
    "TamperedRecord",
    "UnknownRequest",
    "UnreadableRecord",
]
