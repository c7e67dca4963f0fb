"""One fee rule's amount for a form, in exact decimal pounds (never a binary float)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from localgov.catalogue.model import Condition, FeeRule, FeeRuleKind
from localgov.errors import LocalgovError
from localgov.i18n import to_western_digits

__all__ = ["PIASTRE", "FeeError", "applies", "basis_quantity", "compute_fee", "tiered_amount", "to_piastres"]

# The smallest unit of the Egyptian pound: 1 piastre (قرش) = EGP 0.01.
PIASTRE = Decimal("0.01")


class FeeError(LocalgovError):
    """A fee cannot be computed: its basis field is missing from the form or is not a usable number."""


def to_piastres(amount: Decimal) -> Decimal:
    """``amount`` rounded to the piastre, half up (the way a cashier rounds)."""
    return amount.quantize(PIASTRE, rounding=ROUND_HALF_UP)


def applies(condition: Condition | None, form: Mapping[str, Any]) -> bool:
    """Whether a fee item's or exemption's condition holds for ``form`` (no condition: always)."""
    return condition is None or condition.holds(form)


def basis_quantity(rule: FeeRule, form: Mapping[str, Any]) -> Decimal:
    """The number a rule is computed from (its ``basis`` field), refusing anything that is not one."""
    assert rule.basis is not None  # checked when the catalogue loaded
    value = form.get(rule.basis)
    if value is None or value == "":
        raise FeeError(f"fee rule {rule.code!r} needs form field {rule.basis!r}, which is empty")
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise FeeError(
            f"fee rule {rule.code!r}: field {rule.basis!r} must be a number written as text, got {type(value).__name__}"
        )
    try:
        quantity = Decimal(to_western_digits(value.strip()) if isinstance(value, str) else value)
    except InvalidOperation:
        raise FeeError(f"fee rule {rule.code!r}: field {rule.basis!r} is not a number ({str(value)[:40]!r})") from None
    # A form value beyond 10^15 is a typo or an attack, not a building.
    if not quantity.is_finite() or quantity < 0 or quantity.adjusted() > 15:
        raise FeeError(
            f"fee rule {rule.code!r}: field {rule.basis!r} must be a number from 0 to 10^15, got {str(value)[:40]!r}"
        )
    return quantity


def tiered_amount(rule: FeeRule, quantity: Decimal) -> Decimal:
    """Marginal bands: each band's rate applies only to the part of the quantity inside it."""
    total, lower = Decimal(0), Decimal(0)
    for tier in rule.tiers:
        upper = quantity if tier.up_to is None else min(quantity, tier.up_to)
        if upper > lower:
            total += (upper - lower) * tier.rate
        if tier.up_to is None or quantity <= tier.up_to:
            break
        lower = tier.up_to
    return total


def compute_fee(rule: FeeRule, form: Mapping[str, Any]) -> Decimal:
    """One rule's amount for ``form``, rounded to the piastre, within the rule's minimum and maximum."""
    # Enough digits that a large basis times a rate is exact before rounding to the piastre.
    with localcontext(prec=60):
        return _compute(rule, form)


def _compute(rule: FeeRule, form: Mapping[str, Any]) -> Decimal:
    if rule.kind is FeeRuleKind.FIXED:
        assert rule.amount is not None
        amount = rule.amount
    elif rule.kind is FeeRuleKind.PER_UNIT:
        assert rule.rate is not None
        amount = rule.rate * basis_quantity(rule, form)
    elif rule.kind is FeeRuleKind.PERCENTAGE:
        assert rule.rate is not None
        amount = rule.rate * basis_quantity(rule, form) / 100
    else:
        amount = tiered_amount(rule, basis_quantity(rule, form))
    amount = to_piastres(amount)
    # Bounds are applied after rounding so that a bound is met exactly, never missed by a piastre.
    if rule.minimum is not None:
        amount = max(amount, rule.minimum)
    if rule.maximum is not None:
        amount = min(amount, rule.maximum)
    return to_piastres(amount)
