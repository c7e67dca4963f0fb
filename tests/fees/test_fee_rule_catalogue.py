"""Fee rules in catalogue files: the new keys are optional, and mistakes are reported where they are."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localgov.catalogue import Catalogue, CatalogueError
from localgov.catalogue.checks import _check_fee_rule
from localgov.catalogue.loading import parse_sources

from .conftest import FEE_RULES, service_data

REASON = {"ar": "سبب", "en": "reason"}
OWNER = {"field": "owner_kind", "equals": ["person"]}


def problems(
    load: Callable[..., Catalogue], rules: dict[str, Any], fees: list[dict[str, Any]] | None = None
) -> list[str]:
    try:
        load({"services": {"t_shop": service_data(fees)}, "fee_rules": rules})
    except CatalogueError as error:
        return [str(p) for p in error.problems]
    return []


def test_rules_without_the_new_keys_still_load(load: Callable[..., Catalogue]) -> None:
    old_style = {
        "t_fixed": FEE_RULES["t_fixed"],
        "t_floors": {k: v for k, v in FEE_RULES["t_floors"].items() if k != "unit"},
    }
    assert problems(load, copy.deepcopy(old_style), [{"rule": "t_fixed"}, {"rule": "t_floors"}]) == []


def test_the_new_keys_load(catalogue: Catalogue) -> None:
    renewal = catalogue.fee_rules["t_renewal"]
    assert renewal.late_penalty is not None and renewal.late_penalty.due_field == "expiry"
    assert [e.code for e in renewal.exemptions] == ["nonprofit_half"]


@pytest.mark.parametrize(
    ("rule", "change", "expected"),
    [
        ("t_renewal", {"late_penalty": {"rate": "2"}}, "late_penalty: give exactly one of due_field"),
        (
            "t_renewal",
            {"late_penalty": {"rate": "-1", "due_date": datetime.date(2026, 1, 1)}},
            "late_penalty.rate: must not be negative",
        ),
        (
            "t_renewal",
            {"late_penalty": {"rate": "1", "due_field": "expiry", "grace_days": -3}},
            "grace_days: must not be negative",
        ),
        (
            "t_review",
            {"exemptions": [{"code": "x", "reason": REASON, "percent": "120", "when": OWNER}]},
            "percent: must be above 0 and at most 100",
        ),
        (
            "t_review",
            {"exemptions": [{"code": "X y", "reason": REASON, "when": OWNER}]},
            "exemptions[0].code: invalid code",
        ),
        ("t_fixed", {"amount": "10.005"}, "whole piastres"),
        ("t_fixed", {"tiers": [{"rate": "1"}]}, "only tiered fee rules take tiers"),
        ("t_fixed", {"late_penalty": {"rate": 1.5, "due_date": datetime.date(2026, 1, 1)}}, "late_penalty.rate"),
    ],
)
def test_mistakes_are_reported_at_their_path(
    load: Callable[..., Catalogue], rule: str, change: dict[str, Any], expected: str
) -> None:
    rules = copy.deepcopy(FEE_RULES)
    rules[rule].update(change)
    found = problems(load, rules)
    assert any(expected in p and rule in p for p in found), found


@pytest.mark.parametrize(
    ("rule", "change", "expected"),
    [
        ("t_renewal", {"late_penalty": {"rate": "2", "due_field": "floors"}}, "no date field 'floors'"),
        (
            "t_review",
            {"exemptions": [{"code": "x", "reason": REASON, "when": {"field": "owner_kind", "equals": ["nobody"]}}]},
            '"nobody" is not a choice',
        ),
        (
            "t_review",
            {"exemptions": [{"code": "x", "reason": REASON, "when": {"field": "ghost", "equals": ["a"]}}]},
            "has no field 'ghost'",
        ),
    ],
)
def test_rules_are_checked_against_the_services_that_use_them(
    write_toml: Callable[..., Path], rule: str, change: dict[str, Any], expected: str
) -> None:
    rules = copy.deepcopy(FEE_RULES)
    rules[rule].update(change)
    entries, parse_problems, _ = parse_sources(
        [write_toml({"services": {"t_shop": service_data()}, "fee_rules": rules})]
    )
    assert parse_problems == []
    found = [str(p) for p in _check_fee_rule(entries["fee_rules"][rule], entries)]
    assert any(expected in p and rule in p for p in found), found
    # Without the services, only the rule's own checks run.
    assert list(_check_fee_rule(entries["fee_rules"][rule])) == []
