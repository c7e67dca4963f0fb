"""The unified guide (الدليل الموحد) as frozen values.

A catalogue is made of named entries of seven kinds: categories, roles, channels, document types,
fee rules, workflows and services. Services refer to the other kinds by code; the loader checks every
reference (see :mod:`localgov.catalogue.checks`). Nothing here touches files or databases.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from localgov.i18n import LocalizedText

__all__ = [
    "OVERRIDABLE",
    "Category",
    "Channel",
    "Choice",
    "Condition",
    "Department",
    "DocumentRequirement",
    "DocumentType",
    "FeeExemption",
    "FeeItem",
    "FeeRule",
    "FeeRuleKind",
    "FeeTier",
    "FieldType",
    "FormField",
    "Identification",
    "IssuedKind",
    "Issues",
    "LatePenalty",
    "OriginalsHandling",
    "ProcedureStep",
    "ReceiptDelivery",
    "Role",
    "SeparationRule",
    "ServiceDefinition",
    "ServiceOverride",
    "Validity",
    "WorkflowAction",
    "WorkflowDefinition",
    "WorkflowState",
]


class Identification(str, Enum):
    """How an applicant is identified where they submit."""

    ID_CARD = "id_card"  # the national ID card shown to the clerk
    DIGITAL_IDENTITY = "digital_identity"  # signed in to the portal with Egypt's digital identity
    ID_CARD_AT_HOME = "id_card_at_home"  # shown to the visiting clerk, photographed on the tablet


class ReceiptDelivery(str, Enum):
    """Where a submission's receipt goes."""

    PRINTED = "printed"
    SMS = "sms"
    EMAIL = "email"


class OriginalsHandling(str, Enum):
    """What happens to the paper originals of the required documents."""

    SEEN_AT_COUNTER = "seen_at_counter"  # the clerk checks them against the copies and hands them back
    HELD_BY_UNIT = "held_by_unit"  # the district holds them already (a renewal): none are asked for
    REGISTERED_MAIL = "registered_mail"  # sent to the district by registered post, tracked (UPU S10)
    NONE = "none"  # only uploaded copies: the originals are seen when the permit is collected


class FieldType(str, Enum):
    """The types a form field may have; each has a value parser in :mod:`localgov.catalogue.fields`."""

    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    NATIONAL_ID = "national_id"
    MOBILE = "mobile"
    AREA = "area"  # square metres
    PARCEL = "parcel"  # parcel / plot reference as the survey authority writes it
    ADDRESS = "address"


class IssuedKind(str, Enum):
    """What a completed request hands the citizen."""

    PERMIT = "permit"
    LICENCE = "licence"
    STATEMENT = "statement"
    RECEIPT = "receipt"


class FeeRuleKind(str, Enum):
    FIXED = "fixed"  # one amount
    PER_UNIT = "per_unit"  # rate x a numeric form field (m², floors, metres of frontage...)
    TIERED = "tiered"  # marginal rates by bands of a numeric form field
    PERCENTAGE = "percentage"  # a percentage of a money form field


@attrs.frozen
class Category:
    code: str
    name: LocalizedText


@attrs.frozen
class Department:
    """A back-office department of a local unit (engineering, licensing, revenue...)."""

    code: str
    name: LocalizedText


@attrs.frozen
class Role:
    """A job an employee holds at a local unit; workflows grant actions to roles."""

    code: str
    name: LocalizedText
    sees_applicant: bool = False  # blind review: most back-office roles see the case, not who asked


@attrs.frozen
class Channel:
    """Where a request can be submitted: front desk, portal, mobile unit, post office...

    What the engine needs to take a request there, as data a governorate or plugin writes:

    - ``service_point``: the kind of service point it runs at (``technology_center``,
      ``post_office``, ``mobile_unit``); ``None`` for a channel reached from anywhere (the portal).
    - ``clerk_role``: the role of the employee who takes requests there; ``None`` when the applicant
      submits for themself (then only on their own behalf).
    - ``identification``: how the applicant is identified there.
    - ``receipt``: where the receipt goes (printed at the counter, by SMS, by e-mail).
    - ``originals``: what happens to paper originals.
    - ``services``: the services it may take; empty for any service that lists it. The portal and
      the mobile district, for one, start with renewals whose originals the district already holds.
    """

    code: str
    name: LocalizedText
    service_point: str | None = None
    clerk_role: str | None = None
    identification: Identification = Identification.ID_CARD
    receipt: tuple[ReceiptDelivery, ...] = (ReceiptDelivery.PRINTED,)
    originals: OriginalsHandling = OriginalsHandling.SEEN_AT_COUNTER
    services: tuple[str, ...] = ()

    def takes(self, service: str) -> bool:
        """Whether this channel may take requests for ``service`` (the service must list it too)."""
        return not self.services or service in self.services


@attrs.frozen
class DocumentType:
    code: str
    name: LocalizedText
    accepted_types: tuple[str, ...] = ("pdf", "jpeg", "png")
    max_size_mb: float = 10.0


@attrs.frozen
class Choice:
    value: str
    label: LocalizedText


@attrs.frozen
class FormField:
    name: str
    type: FieldType
    label: LocalizedText
    required: bool = True
    help: LocalizedText | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()


@attrs.frozen
class Condition:
    """A document or fee that applies only when a form field has one of some values."""

    field: str
    equals: tuple[str, ...]

    def holds(self, form: Mapping[str, Any]) -> bool:
        """Whether the field has one of the values (for a multi-choice field: any chosen one)."""
        value = form.get(self.field)
        chosen = value if isinstance(value, list | tuple) else [value]
        return any(isinstance(v, str) and v in self.equals for v in chosen)


@attrs.frozen
class DocumentRequirement:
    type: str
    mandatory: bool = True
    when: Condition | None = None
    # A service may narrow what its document type accepts (a sketch must be a PDF, say).
    accepted_types: tuple[str, ...] | None = None
    max_size_mb: float | None = None
    note: LocalizedText | None = None


@attrs.frozen
class FeeTier:
    """One band of a tiered rule: ``rate`` per unit of the basis between the previous bound and ``up_to``."""

    rate: Decimal
    up_to: Decimal | None = None  # None: the last, open-ended band


@attrs.frozen
class LatePenalty:
    """A late-payment penalty (غرامة تأخير): ``rate`` percent of the fee per month or part of a month late.

    The due date is a date field of the form (``due_field``, e.g. a licence's expiry) or a fixed
    date (``due_date``, e.g. an annual fee's last day); exactly one is given. Nothing is owed within
    ``grace_days`` of it. ``cap_percent`` bounds the whole penalty as a percentage of the fee. The
    penalty is its own invoice line, booked to ``revenue_item`` (the rule's own item when unset).
    """

    rate: Decimal
    due_field: str | None = None
    due_date: datetime.date | None = None
    grace_days: int = 0
    cap_percent: Decimal | None = None
    revenue_item: str | None = None


@attrs.frozen
class FeeExemption:
    """A legal exemption (إعفاء) from a fee rule, applied when the form matches ``when``.

    ``percent`` of the rule's amount is waived (100: the whole fee). ``reason`` is shown on the
    invoice and recorded with the assessment; ``legal_basis`` names the law or decree.
    """

    code: str
    reason: LocalizedText
    when: Condition
    percent: Decimal = Decimal(100)
    legal_basis: str | None = None


@attrs.frozen
class FeeRule:
    """A fee computed from the form; each line is tagged with its revenue item.

    ``revenue_item`` is the code of the item in the unified guide of items and revenues
    (الدليل الموحد للبنود والإيرادات) that the money is booked to. ``placeholder`` marks an
    amount that is not public and must be set by the governorate before use.
    """

    code: str
    name: LocalizedText
    revenue_item: str
    kind: FeeRuleKind
    amount: Decimal | None = None
    rate: Decimal | None = None
    basis: str | None = None
    tiers: tuple[FeeTier, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    placeholder: bool = False
    source: str | None = None
    # What one unit of the basis is ("m²", "floor", "metre of frontage"), for estimates and invoices.
    unit: LocalizedText | None = None
    late_penalty: LatePenalty | None = None
    exemptions: tuple[FeeExemption, ...] = ()


@attrs.frozen
class FeeItem:
    """A service's use of a fee rule, optionally only when a form field has some values."""

    rule: str
    when: Condition | None = None


@attrs.frozen
class Validity:
    years: int = 0
    months: int = 0
    days: int = 0

    def expiry(self, issued: datetime.date) -> datetime.date:
        """The last day of validity of something issued on ``issued``."""
        month_index = issued.month - 1 + self.months + 12 * self.years
        year, month = issued.year + month_index // 12, month_index % 12 + 1
        day = min(issued.day, _days_in_month(year, month))
        return datetime.date(year, month, day) + datetime.timedelta(days=self.days - 1)


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


@attrs.frozen
class Issues:
    kind: IssuedKind
    validity: Validity | None = None
    # The document's name in signed tokens and signing certificates ("shop_licence"); a renewal
    # issues the same document as the first licence. Defaults to the service's code.
    document: str | None = None
    # Form fields an inspector needs on the signed permit (floors, height, built area...).
    figures: tuple[str, ...] = ()


@attrs.frozen
class ProcedureStep:
    ar: str
    en: str


@attrs.frozen
class ServiceDefinition:
    """One service of the unified guide: what the citizen supplies, pays and receives."""

    code: str
    name: LocalizedText
    description: LocalizedText
    category: str
    department: str
    workflow: str
    time_limit_days: int
    channels: tuple[str, ...]
    issues: Issues
    steps: tuple[ProcedureStep, ...] = ()
    fields: tuple[FormField, ...] = ()
    documents: tuple[DocumentRequirement, ...] = ()
    fees: tuple[FeeItem, ...] = ()
    # Figures the public record does not give: the governorate must set them before use.
    placeholders: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # The governorates that offer it (ISO 3166-2:EG codes): a governorate's own service names its
    # governorate; a national service, offered everywhere, names none.
    governorates: tuple[str, ...] = ()
    # This service's own wording of the citizen's messages, by kind; the catalogue's
    # [messages.<kind>] otherwise (localgov.catalogue.messages).
    messages: Mapping[str, LocalizedText] = attrs.field(factory=dict, hash=False)
    # Set by the loader when a malformed array had to be left out to check the rest of the entry.
    incomplete: frozenset[str] = attrs.field(default=frozenset(), repr=False, eq=False)

    def offered_in(self, governorate: str) -> bool:
        """Whether a request for this service may be taken in ``governorate``."""
        return not self.governorates or governorate in self.governorates

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    def required_documents(self, form: Mapping[str, Any]) -> list[str]:
        """The document types this form must come with: the mandatory ones, and the conditional
        ones whose condition holds."""
        return [
            requirement.type
            for requirement in self.documents
            if (requirement.when.holds(form) if requirement.when is not None else requirement.mandatory)
        ]


# What a governorate may replace in a national service. The form, the workflow and what is issued
# stay national: they shape the request's record, its permit token and its history, which must
# read the same in every governorate; a service that differs there is another service.
OVERRIDABLE = ("time_limit_days", "channels", "steps", "documents", "fees")


@attrs.frozen
class ServiceOverride:
    """A governorate's own figures for a service defined once, nationally (``[[overrides]]``).

    Each attribute left ``None`` keeps the national value; one that is given replaces it whole (a
    list is not merged item by item, so what the governorate asks for reads in one place). The
    national definition's ``placeholders`` for a replaced attribute are dropped, and the
    override's own ``placeholders`` and ``sources`` are added.
    """

    governorate: str
    service: str
    time_limit_days: int | None = None
    channels: tuple[str, ...] | None = None
    steps: tuple[ProcedureStep, ...] | None = None
    documents: tuple[DocumentRequirement, ...] | None = None
    fees: tuple[FeeItem, ...] | None = None
    placeholders: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def replaced(self) -> tuple[str, ...]:
        """The attributes this override replaces, in :data:`OVERRIDABLE` order."""
        return tuple(name for name in OVERRIDABLE if getattr(self, name) is not None)

    def apply(self, service: ServiceDefinition) -> ServiceDefinition:
        """``service`` as this governorate offers it; ``service`` itself is not changed."""
        replaced = self.replaced
        kept = tuple(target for target in service.placeholders if target not in replaced)
        placeholders = kept + tuple(target for target in self.placeholders if target not in kept)
        return attrs.evolve(
            service,
            **{name: getattr(self, name) for name in replaced},
            placeholders=placeholders,
            sources=service.sources + self.sources,
        )


@attrs.frozen
class WorkflowState:
    code: str
    name: LocalizedText
    final: bool = False
    # "paused": the time limit stands still (waiting on the applicant or on a payment).
    clock: str = "running"
    time_limit_days: int | None = None
    # Reaching this state completes the service: the permit, licence, statement or receipt is issued.
    issues: bool = False
    # While a letter about the request awaits its reply (localgov.correspondence), the time limit
    # stands still in this state: a technical review waiting on the survey department's answer.
    letters_pause_clock: bool = False


@attrs.frozen
class WorkflowAction:
    code: str
    label: LocalizedText
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    # The duty the action performs, for separation of duties ("intake", "review", "approval"...).
    duty: str | None = None
    guards: tuple[str, ...] = ()
    requires_comment: bool = False
    # What the engine does besides moving the request ("assess_fees": compute the invoice).
    effects: tuple[str, ...] = ()


@attrs.frozen
class SeparationRule:
    """Whoever performed ``performed`` on a request may not perform any of ``forbids`` on it."""

    performed: str
    forbids: tuple[str, ...]


@attrs.frozen
class WorkflowDefinition:
    code: str
    name: LocalizedText
    initial: str
    states: tuple[WorkflowState, ...]
    actions: tuple[WorkflowAction, ...]
    separation_of_duties: tuple[SeparationRule, ...] = ()
    applicant_may_act: bool = False

    def state(self, code: str) -> WorkflowState | None:
        return next((s for s in self.states if s.code == code), None)
