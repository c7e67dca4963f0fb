"""Assessing a request's fees: the itemised record of every line, and the invoice the engine keeps.

An :class:`Assessment` says for each fee how it was computed: the quantity and unit it was computed
from, the amount within the rule's minimum and maximum, the exemption that waived part of it (who
granted it, why, under which rule) and the late penalty added to it. :meth:`Assessment.invoice`
turns it into the :class:`~localgov.fees.model.Invoice` stored with the request: one line per
fee, then a negative line per exemption and a line per penalty, each tagged with its revenue item,
so the stored invoice itself shows what was waived and why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from localgov.catalogue import Catalogue, FeeRule, FeeRuleKind, ServiceDefinition
from localgov.clock import EGYPT
from localgov.fees.model import FeeLine, GrantedExemption, Invoice
from localgov.fees.penalties import LateCharge, late_charge
from localgov.fees.rules import FeeError, applies, basis_quantity, compute_fee, to_piastres
from localgov.i18n import LocalizedText

__all__ = [
    "CATALOGUE_GRANTOR",
    "AppliedExemption",
    "AssessedFee",
    "Assessment",
    "GrantedExemption",
    "assess",
    "assess_fee",
    "assess_itemised",
]

# Who "granted" an exemption that the law grants by itself, matched from the form.
CATALOGUE_GRANTOR = "catalogue"
# Suffixes of the rule code on the invoice lines an exemption or a penalty adds.
EXEMPTION_SUFFIX = ":exemption"
LATE_SUFFIX = ":late"


@attrs.frozen
class AppliedExemption:
    """An exemption as applied: what rule, who granted it, why, and how much it waived."""

    rule: str
    code: str
    reason: LocalizedText
    granted_by: str
    percent: Decimal
    amount: Decimal
    legal_basis: str | None = None


@attrs.frozen
class AssessedFee:
    """One fee of an assessment and how it was reached."""

    rule: str
    revenue_item: str
    name: LocalizedText
    kind: FeeRuleKind
    quantity: Decimal | None  # the basis value, for per-unit, tiered and percentage rules
    unit: LocalizedText | None
    gross: Decimal  # the rule's amount, within its minimum and maximum
    exemption: AppliedExemption | None = None
    late: LateCharge | None = None
    placeholder: bool = False

    @property
    def waived(self) -> Decimal:
        return self.exemption.amount if self.exemption is not None else Decimal("0.00")

    @property
    def net(self) -> Decimal:
        """What is owed for this fee: the amount, less what is waived, plus any penalty."""
        return self.gross - self.waived + (self.late.amount if self.late is not None else Decimal("0.00"))


@attrs.frozen
class Assessment:
    """The itemised fees of a request, as of a date (penalties depend on it)."""

    service: str
    as_of: datetime.date
    fees: tuple[AssessedFee, ...]

    @property
    def total(self) -> Decimal:
        return sum((fee.net for fee in self.fees), Decimal("0.00"))

    def by_revenue_item(self) -> dict[str, Decimal]:
        """The total booked to each revenue item of the unified guide."""
        totals: dict[str, Decimal] = {}
        for line in self.invoice().lines:
            totals[line.revenue_item] = totals.get(line.revenue_item, Decimal("0.00")) + line.amount
        return totals

    def invoice(self) -> Invoice:
        """The invoice to store with the request: fee lines, then exemption and penalty lines."""
        lines: list[FeeLine] = []
        for fee in self.fees:
            lines.append(FeeLine(fee.rule, fee.revenue_item, fee.name, fee.gross))
            if fee.exemption is not None and fee.exemption.amount:
                reason = fee.exemption.reason
                lines.append(
                    FeeLine(
                        fee.rule + EXEMPTION_SUFFIX,
                        fee.revenue_item,
                        LocalizedText(
                            f"إعفاء من {fee.name.ar}: {reason.ar}", f"Exemption from {fee.name.en}: {reason.en}"
                        ),
                        -fee.exemption.amount,
                    )
                )
            if fee.late is not None:
                lines.append(
                    FeeLine(
                        fee.rule + LATE_SUFFIX,
                        fee.late.revenue_item,
                        LocalizedText(
                            f"غرامة تأخير على {fee.name.ar} ({fee.late.months} شهر)",
                            f"Late penalty on {fee.name.en} ({fee.late.months} month{'s' if fee.late.months != 1 else ''})",
                        ),
                        fee.late.amount,
                    )
                )
        return Invoice(tuple(lines))


def _today() -> datetime.date:
    return datetime.datetime.now(EGYPT).date()


def _best_exemption(
    rule: FeeRule, gross: Decimal, form: Mapping[str, Any], granted: Sequence[GrantedExemption]
) -> AppliedExemption | None:
    """The most favourable exemption that applies; exemptions do not add up."""
    candidates: list[AppliedExemption] = []
    for legal in rule.exemptions:
        if applies(legal.when, form):
            candidates.append(
                _applied(rule, gross, legal.code, legal.reason, CATALOGUE_GRANTOR, legal.percent, legal.legal_basis)
            )
    for grant in granted:
        if grant.rule == rule.code:
            candidates.append(
                _applied(rule, gross, "granted", grant.reason, grant.granted_by, grant.percent, grant.reference)
            )
    if not candidates:
        return None
    return max(candidates, key=lambda e: e.amount)


def _applied(
    rule: FeeRule, gross: Decimal, code: str, reason: LocalizedText, who: str, percent: Decimal, basis: str | None
) -> AppliedExemption:
    return AppliedExemption(rule.code, code, reason, who, percent, to_piastres(gross * percent / 100), basis)


def assess_fee(
    rule: FeeRule, form: Mapping[str, Any], as_of: datetime.date, granted: Sequence[GrantedExemption] = ()
) -> AssessedFee:
    """One rule assessed for ``form`` on ``as_of``."""
    gross = compute_fee(rule, form)
    quantity = basis_quantity(rule, form) if rule.basis is not None and rule.kind is not FeeRuleKind.FIXED else None
    exemption = _best_exemption(rule, gross, form, granted)
    waived = exemption.amount if exemption is not None else Decimal(0)
    late = late_charge(rule, gross - waived, form, as_of)
    return AssessedFee(
        rule=rule.code,
        revenue_item=rule.revenue_item,
        name=rule.name,
        kind=rule.kind,
        quantity=quantity,
        unit=rule.unit,
        gross=gross,
        exemption=exemption,
        late=late,
        placeholder=rule.placeholder,
    )


def assess_itemised(
    service: ServiceDefinition,
    catalogue: Catalogue,
    form: Mapping[str, Any],
    *,
    as_of: datetime.date | None = None,
    exemptions: Iterable[GrantedExemption] = (),
) -> Assessment:
    """Every applicable fee of ``service`` for ``form``, with exemptions and penalties as of ``as_of``.

    :param as_of: the day the fees are assessed (penalties count the months up to it); today in
        Cairo when not given.
    :param exemptions: exemptions officials granted on this request, beside those the catalogue's
        rules grant from the form.
    :raises FeeError: a fee's basis field is empty or not a number, or an exemption names a rule
        the service does not charge.
    """
    granted = tuple(exemptions)
    charged = {item.rule for item in service.fees}
    for grant in granted:
        if grant.rule not in charged:
            raise FeeError(f"exemption from {grant.rule!r}: {service.code} has no such fee")
    day = as_of or _today()
    fees = tuple(
        assess_fee(catalogue.fee_rules[item.rule], form, day, granted)
        for item in service.fees
        if applies(item.when, form)
    )
    return Assessment(service.code, day, fees)


def assess(
    service: ServiceDefinition,
    catalogue: Catalogue,
    form: Mapping[str, Any],
    *,
    as_of: datetime.date | None = None,
    exemptions: Iterable[GrantedExemption] = (),
) -> Invoice:
    """The itemised invoice for a request (what the engine stores when it assesses fees)."""
    return assess_itemised(service, catalogue, form, as_of=as_of, exemptions=exemptions).invoice()
