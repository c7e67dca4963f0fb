"""The service catalogue (الدليل الموحد): services, their forms, documents, fees and workflows.

Definitions live in TOML files a governorate can review; :func:`load_catalogue` loads them with
cattrs into frozen attrs classes and reports every problem at once (:class:`CatalogueError`).
"""

from localgov.catalogue.catalogue import Catalogue, UnknownEntry, load_catalogue
from localgov.catalogue.messages import MESSAGE_KINDS, REQUIRED_MESSAGES, MessageTemplate, render_template
from localgov.catalogue.model import (
    Category,
    Channel,
    Choice,
    Condition,
    Department,
    DocumentRequirement,
    DocumentType,
    FeeItem,
    FeeRule,
    FeeRuleKind,
    FeeTier,
    FieldType,
    FormField,
    IssuedKind,
    Issues,
    ProcedureStep,
    Role,
    SeparationRule,
    ServiceDefinition,
    Validity,
    WorkflowAction,
    WorkflowDefinition,
    WorkflowState,
)
from localgov.catalogue.problems import CatalogueError, Problem

__all__ = [
    "MESSAGE_KINDS",
    "REQUIRED_MESSAGES",
    "Catalogue",
    "CatalogueError",
    "Category",
    "Channel",
    "Choice",
    "Condition",
    "Department",
    "DocumentRequirement",
    "DocumentType",
    "FeeItem",
    "FeeRule",
    "FeeRuleKind",
    "FeeTier",
    "FieldType",
    "FormField",
    "IssuedKind",
    "Issues",
    "MessageTemplate",
    "Problem",
    "ProcedureStep",
    "Role",
    "SeparationRule",
    "ServiceDefinition",
    "UnknownEntry",
    "Validity",
    "WorkflowAction",
    "WorkflowDefinition",
    "WorkflowState",
    "load_catalogue",
    "render_template",
]
