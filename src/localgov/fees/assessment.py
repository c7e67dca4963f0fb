"""Computing a service's fees from its fee rules and the submitted form, in exact decimal pounds."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from localgov.catalogue import Catalogue, Condition, FeeRule, FeeRuleKind, ServiceDefinition
from localgov.errors import LocalgovError
from localgov.requests.model import FeeLine, Invoice

__all__ = ["FeeError", "assess", "compute_fee"]

PIASTRE = Decimal("0.01")


class FeeError(LocalgovError):
    """A fee cannot be computed (its basis field is missing from the form)."""


def _applies(condition: Condition | None, form: Mapping[str, Any]) -> bool:
    if condition is None:
        return True
    value = form.get(condition.field)
    chosen = value if isinstance(value, list) else [value]
    return any(v in condition.equals for v in chosen)


def _basis(rule: FeeRule, form: Mapping[str, Any]) -> Decimal:
    assert rule.basis is not None  # checked when the catalogue loaded
    value = form.get(rule.basis)
    if value is None:
        raise FeeError(f"fee rule {rule.code!r} needs form field {rule.basis!r}, which is empty")
    return Decimal(str(value))


def compute_fee(rule: FeeRule, form: Mapping[str, Any]) -> Decimal:
    """One rule's amount for ``form``, rounded to the piastre, within the rule's minimum and maximum."""
    if rule.kind is FeeRuleKind.FIXED:
        assert rule.amount is not None
        amount = rule.amount
    elif rule.kind is FeeRuleKind.PER_UNIT:
        assert rule.rate is not None
        amount = rule.rate * _basis(rule, form)
    elif rule.kind is FeeRuleKind.PERCENTAGE:
        assert rule.rate is not None
        amount = rule.rate * _basis(rule, form) / 100
    else:
        amount = _tiered(rule, _basis(rule, form))
    if rule.minimum is not None:
        amount = max(amount, rule.minimum)
    if rule.maximum is not None:
        amount = min(amount, rule.maximum)
    return amount.quantize(PIASTRE, rounding=ROUND_HALF_UP)


def _tiered(rule: FeeRule, quantity: Decimal) -> Decimal:
    """Marginal bands: each band's rate applies to the part of the quantity inside it."""
    total, lower = Decimal(0), Decimal(0)
    for tier in rule.tiers:
        upper = quantity if tier.up_to is None else min(quantity, tier.up_to)
        if upper > lower:
            total += (upper - lower) * tier.rate
        if tier.up_to is None or quantity <= tier.up_to:
            break
        lower = tier.up_to
    return total


def assess(service: ServiceDefinition, catalogue: Catalogue, form: Mapping[str, Any]) -> Invoice:
    """The itemised invoice for a request: one line per applicable fee item."""
    lines = []
    for item in service.fees:
        if not _applies(item.when, form):
            continue
        rule = catalogue.fee_rules[item.rule]
        lines.append(FeeLine(rule.code, rule.revenue_item, rule.name, compute_fee(rule, form)))
    return Invoice(tuple(lines))
