"""A small catalogue with every kind of fee rule, penalties and exemptions, loaded from TOML."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localgov.catalogue import Catalogue, load_catalogue
from localgov.requests.guards import BUILTIN_GUARDS

from ..conftest import VALID_SERVICE

CORE = Path(__file__).parents[2] / "src" / "localgov" / "catalogue" / "data"

SHOP_FIELDS: list[dict[str, Any]] = [
    {"name": "floors", "type": "number", "label": {"ar": "عدد الأدوار", "en": "Floors"}},
    {"name": "built_area", "type": "area", "label": {"ar": "المساحة", "en": "Area"}},
    {"name": "estimated_cost", "type": "money", "label": {"ar": "التكلفة", "en": "Cost"}},
    {"name": "expiry", "type": "date", "label": {"ar": "تاريخ الانتهاء", "en": "Expiry"}, "required": False},
    {
        "name": "owner_kind",
        "type": "choice",
        "label": {"ar": "صفة المالك", "en": "Owner"},
        "choices": [
            {"value": "person", "label": {"ar": "فرد", "en": "Person"}},
            {"value": "nonprofit", "label": {"ar": "جمعية أهلية", "en": "Non-profit"}},
        ],
    },
]

FEE_RULES: dict[str, Any] = {
    "t_fixed": {
        "name": {"ar": "رسم ثابت", "en": "Fixed fee"},
        "revenue_item": "R-FIX",
        "kind": "fixed",
        "amount": "150.00",
    },
    "t_floors": {
        "name": {"ar": "رسم الأدوار", "en": "Per-floor fee"},
        "revenue_item": "R-FLR",
        "kind": "per_unit",
        "basis": "floors",
        "rate": "200",
        "unit": {"ar": "دور", "en": "floor"},
    },
    "t_area": {
        "name": {"ar": "رسم المساحة", "en": "Area fee"},
        "revenue_item": "R-AREA",
        "kind": "tiered",
        "basis": "built_area",
        "tiers": [{"up_to": "100", "rate": "2"}, {"up_to": "500", "rate": "3"}, {"rate": "5"}],
        "unit": {"ar": "م²", "en": "m²"},
    },
    "t_review": {
        "name": {"ar": "رسم المراجعة", "en": "Review fee"},
        "revenue_item": "R-REV",
        "kind": "percentage",
        "basis": "estimated_cost",
        "rate": "0.5",
        "minimum": "500",
        "maximum": "20000",
        "exemptions": [
            {
                "code": "nonprofit",
                "reason": {"ar": "جمعية أهلية مشهرة", "en": "Registered non-profit"},
                "when": {"field": "owner_kind", "equals": ["nonprofit"]},
                "legal_basis": "Law 149/2019",
            },
        ],
    },
    "t_renewal": {
        "name": {"ar": "رسم التجديد", "en": "Renewal fee"},
        "revenue_item": "R-REN",
        "kind": "fixed",
        "amount": "1000",
        "late_penalty": {
            "rate": "2",
            "due_field": "expiry",
            "grace_days": 30,
            "cap_percent": "50",
            "revenue_item": "R-LATE",
        },
        "exemptions": [
            {
                "code": "nonprofit_half",
                "reason": {"ar": "تخفيض للجمعيات", "en": "Non-profit reduction"},
                "when": {"field": "owner_kind", "equals": ["nonprofit"]},
                "percent": "50",
            },
        ],
    },
}


def service_data(fees: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    service = copy.deepcopy(VALID_SERVICE)
    service["fields"] = copy.deepcopy(SHOP_FIELDS)
    service["documents"] = [{"type": "national_id_copy"}]
    service["fees"] = (
        fees
        if fees is not None
        else [
            {"rule": "t_fixed"},
            {"rule": "t_floors"},
            {"rule": "t_area"},
            {"rule": "t_review"},
            {"rule": "t_renewal", "when": {"field": "owner_kind", "equals": ["person", "nonprofit"]}},
        ]
    )
    return service


@pytest.fixture
def load(write_toml: Callable[..., Path]) -> Callable[..., Catalogue]:
    def load(data: dict[str, Any]) -> Catalogue:
        return load_catalogue([CORE, write_toml(data)], known_guards=BUILTIN_GUARDS)

    return load


@pytest.fixture
def catalogue(load: Callable[..., Catalogue]) -> Catalogue:
    return load({"services": {"t_shop": service_data()}, "fee_rules": copy.deepcopy(FEE_RULES)})
