"""An estimate of a service's fees before submission, from a form that may be incomplete.

The portal shows it while the citizen fills the form in: every fee that can already be computed,
and for the others what is still needed (a field not yet filled in, a condition not yet decided)
with the rule's minimum and maximum when it has them. Nothing here raises on bad input: a value
that is not a number makes its fee undetermined, with the reason.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from localgov.catalogue import Catalogue, FeeRule, ServiceDefinition
from localgov.fees.assessment import AssessedFee, _today, assess_fee
from localgov.fees.rules import FeeError, applies
from localgov.i18n import LocalizedText

__all__ = ["Estimate", "UndeterminedFee", "estimate"]


@attrs.frozen
class UndeterminedFee:
    """A fee the estimate cannot compute yet, and why."""

    rule: str
    revenue_item: str
    name: LocalizedText
    reason: LocalizedText
    field: str | None = None  # the form field that would decide it
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    conditional: bool = False  # it may not apply at all


@attrs.frozen
class Estimate:
    """What a request would cost: the fees known so far and those still undetermined."""

    service: str
    as_of: datetime.date
    fees: tuple[AssessedFee, ...]
    undetermined: tuple[UndeterminedFee, ...]

    @property
    def total(self) -> Decimal:
        """The total of the fees known so far."""
        return sum((fee.net for fee in self.fees), Decimal("0.00"))

    @property
    def complete(self) -> bool:
        return not self.undetermined

    @property
    def at_least(self) -> Decimal:
        """A floor: the known fees plus the minimum of every fee that will surely apply."""
        floors = (u.minimum for u in self.undetermined if u.minimum is not None and not u.conditional)
        return self.total + sum(floors, Decimal("0.00"))


def _pending(rule: FeeRule, reason: LocalizedText, field: str | None, conditional: bool = False) -> UndeterminedFee:
    return UndeterminedFee(
        rule.code, rule.revenue_item, rule.name, reason, field, rule.minimum, rule.maximum, conditional
    )


def estimate(
    service: ServiceDefinition,
    catalogue: Catalogue,
    form: Mapping[str, Any],
    *,
    as_of: datetime.date | None = None,
) -> Estimate:
    """Estimate ``service``'s fees for a partly filled ``form`` (raw values, as typed)."""
    day = as_of or _today()
    fees: list[AssessedFee] = []
    undetermined: list[UndeterminedFee] = []
    for item in service.fees:
        rule = catalogue.fee_rules[item.rule]
        pending = functools.partial(_pending, rule)
        if item.when is not None and form.get(item.when.field) in (None, "", []):
            undetermined.append(
                pending(
                    LocalizedText(f"يتوقف على الحقل «{item.when.field}»", f"depends on field {item.when.field!r}"),
                    item.when.field,
                    conditional=True,
                )
            )
            continue
        if not applies(item.when, form):
            continue
        if rule.basis is not None and form.get(rule.basis) in (None, ""):
            undetermined.append(
                pending(LocalizedText(f"يحتاج الحقل «{rule.basis}»", f"needs field {rule.basis!r}"), rule.basis)
            )
            continue
        try:
            fees.append(assess_fee(rule, form, day))
        except FeeError as error:
            undetermined.append(
                pending(LocalizedText(f"قيمة غير صالحة: {error}", f"invalid value: {error}"), rule.basis)
            )
    return Estimate(service.code, day, tuple(fees), tuple(undetermined))
