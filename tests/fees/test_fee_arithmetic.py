"""Fee arithmetic: each rule kind on known inputs, and properties that must hold for any input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.catalogue import FeeRule, FeeRuleKind, FeeTier
from localgov.fees import FeeError, compute_fee, tiered_amount
from localgov.i18n import LocalizedText

NAME = LocalizedText("رسم", "Fee")


def rule(kind: FeeRuleKind, **values: object) -> FeeRule:
    basis = None if kind is FeeRuleKind.FIXED else "quantity"
    return FeeRule(code="r", name=NAME, revenue_item="ITEM", kind=kind, basis=basis, **values)  # type: ignore[arg-type]


BANDS = (FeeTier(Decimal(2), Decimal(100)), FeeTier(Decimal(3), Decimal(500)), FeeTier(Decimal(5)))


def test_fixed_amount_ignores_the_form() -> None:
    assert compute_fee(rule(FeeRuleKind.FIXED, amount=Decimal(150)), {}) == Decimal("150.00")


def test_per_unit_multiplies_the_basis() -> None:
    fee = rule(FeeRuleKind.PER_UNIT, rate=Decimal("2.50"))
    assert compute_fee(fee, {"quantity": "240"}) == Decimal("600.00")
    assert compute_fee(fee, {"quantity": "٢٤٠"}) == Decimal("600.00")  # Eastern Arabic digits


def test_percentage_is_of_the_basis() -> None:
    assert compute_fee(rule(FeeRuleKind.PERCENTAGE, rate=Decimal("1.5")), {"quantity": "2500000"}) == Decimal(
        "37500.00"
    )


def test_tiered_bands_are_marginal() -> None:
    fee = rule(FeeRuleKind.TIERED, tiers=BANDS)
    # 100 x 2 + 400 x 3 + 100 x 5
    assert compute_fee(fee, {"quantity": "600"}) == Decimal("1900.00")
    assert compute_fee(fee, {"quantity": "100"}) == Decimal("200.00")
    assert compute_fee(fee, {"quantity": "0"}) == Decimal("0.00")


def test_minimum_and_maximum_bound_the_amount() -> None:
    fee = rule(FeeRuleKind.PER_UNIT, rate=Decimal(2), minimum=Decimal(100), maximum=Decimal(1000))
    assert compute_fee(fee, {"quantity": "10"}) == Decimal("100.00")
    assert compute_fee(fee, {"quantity": "200"}) == Decimal("400.00")
    assert compute_fee(fee, {"quantity": "900"}) == Decimal("1000.00")


def test_rounding_is_half_up_to_the_piastre() -> None:
    fee = rule(FeeRuleKind.PER_UNIT, rate=Decimal("0.125"))
    assert compute_fee(fee, {"quantity": "1"}) == Decimal("0.13")
    assert compute_fee(fee, {"quantity": "3"}) == Decimal("0.38")


@pytest.mark.parametrize("value", [None, "", "abc", "-5", "NaN", "Infinity", 1.5, True, [], "1e40"])
def test_unusable_basis_values_are_refused_with_the_rule_and_field(value: object) -> None:
    form = {} if value is None else {"quantity": value}
    with pytest.raises(FeeError, match="'r'.*'quantity'"):
        compute_fee(rule(FeeRuleKind.PER_UNIT, rate=Decimal(1)), form)


# ---------------------------------------------------------------- properties

quantities = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def tier_tables(draw: st.DrawFn) -> tuple[FeeTier, ...]:
    bounds = sorted(draw(st.sets(st.decimals(min_value=1, max_value=10**6, places=2), min_size=0, max_size=5)))
    tier_rates = draw(st.lists(rates, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return tuple(FeeTier(r, b) for r, b in zip(tier_rates, [*bounds, None], strict=True))


@settings(max_examples=200, deadline=None)
@given(tier_tables(), quantities, quantities)
def test_tiered_totals_are_monotonic_in_the_quantity(tiers: tuple[FeeTier, ...], a: Decimal, b: Decimal) -> None:
    fee = rule(FeeRuleKind.TIERED, tiers=tiers)
    low, high = sorted((a, b))
    assert compute_fee(fee, {"quantity": str(low)}) <= compute_fee(fee, {"quantity": str(high)})


@settings(max_examples=200, deadline=None)
@given(tier_tables(), quantities)
def test_tiered_total_is_the_sum_of_the_bands(tiers: tuple[FeeTier, ...], quantity: Decimal) -> None:
    # An independent computation: the quantity inside each band times the band's rate.
    expected, lower = Decimal(0), Decimal(0)
    for tier in tiers:
        upper = tier.up_to if tier.up_to is not None else max(quantity, lower)
        expected += max(Decimal(0), min(quantity, upper) - lower) * tier.rate
        lower = upper
    assert tiered_amount(rule(FeeRuleKind.TIERED, tiers=tiers), quantity) == expected


@st.composite
def any_rule(draw: st.DrawFn) -> FeeRule:
    kind = draw(st.sampled_from(list(FeeRuleKind)))
    values: dict[str, object] = {}
    if kind is FeeRuleKind.FIXED:
        values["amount"] = draw(money)
    elif kind is FeeRuleKind.TIERED:
        values["tiers"] = draw(tier_tables())
    else:
        values["rate"] = draw(rates)
    bounds = sorted(draw(st.lists(money, min_size=2, max_size=2)))
    if draw(st.booleans()):
        values["minimum"] = bounds[0]
    if draw(st.booleans()):
        values["maximum"] = bounds[1]
    return rule(kind, **values)


@settings(max_examples=200, deadline=None)
@given(any_rule(), quantities)
def test_every_amount_is_an_exact_decimal_in_piastres_within_the_bounds(fee: FeeRule, quantity: Decimal) -> None:
    amount = compute_fee(fee, {"quantity": str(quantity)})
    assert type(amount) is Decimal
    assert amount == amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent == -2
    assert amount >= 0
    if fee.minimum is not None:
        assert amount >= fee.minimum
    if fee.maximum is not None:
        assert amount <= fee.maximum


@settings(max_examples=200, deadline=None)
@given(rates, quantities, quantities)
def test_per_unit_fees_add_up_over_split_quantities(rate: Decimal, a: Decimal, b: Decimal) -> None:
    # Rounding may move each part by half a piastre, never more.
    fee = rule(FeeRuleKind.PER_UNIT, rate=rate)
    whole = compute_fee(fee, {"quantity": str(a + b)})
    parts = compute_fee(fee, {"quantity": str(a)}) + compute_fee(fee, {"quantity": str(b)})
    assert abs(whole - parts) <= Decimal("0.01")
