"""Estimates before submission: partial forms, undecided conditions, hostile values."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.catalogue import Catalogue
from localgov.fees import estimate

DAY = datetime.date(2026, 3, 1)


def test_an_empty_form_shows_the_fixed_fees_and_what_is_still_needed(catalogue: Catalogue) -> None:
    result = estimate(catalogue.service("t_shop"), catalogue, {}, as_of=DAY)
    assert [f.rule for f in result.fees] == ["t_fixed"]
    assert result.total == Decimal("150.00") and not result.complete
    needs = {u.rule: (u.field, u.conditional) for u in result.undetermined}
    assert needs == {
        "t_floors": ("floors", False),
        "t_area": ("built_area", False),
        "t_review": ("estimated_cost", False),
        "t_renewal": ("owner_kind", True),
    }
    # The review fee has a minimum of 500: the request costs at least that much more.
    assert result.at_least == Decimal("650.00")


def test_a_full_form_estimates_what_assessment_charges(catalogue: Catalogue) -> None:
    form = {"floors": "٤", "built_area": "600", "estimated_cost": "1000000", "owner_kind": "person"}
    result = estimate(catalogue.service("t_shop"), catalogue, form, as_of=DAY)
    assert result.complete and result.total == Decimal("8850.00")


def test_an_invalid_value_makes_its_fee_undetermined_with_the_reason(catalogue: Catalogue) -> None:
    result = estimate(catalogue.service("t_shop"), catalogue, {"floors": "many"}, as_of=DAY)
    floors = next(u for u in result.undetermined if u.rule == "t_floors")
    assert "not a number" in floors.reason.en and floors.field == "floors"


form_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.decimals(allow_nan=True),
)


# The catalogue is immutable: sharing it across examples is safe.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["floors", "built_area", "estimated_cost", "owner_kind", "expiry", "x"]), form_values
    )
)
def test_no_form_makes_estimate_raise(catalogue: Catalogue, form: dict[str, Any]) -> None:
    result = estimate(catalogue.service("t_shop"), catalogue, form, as_of=DAY)
    assert all(type(f.net) is Decimal and f.net >= 0 for f in result.fees)
