"""Shared fixtures for localgov's test suite."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

# localgov's own fixtures (postgresql_server, postgres_url, postgres_database_url, localgov_pki)
# come from its pytest plugin, which the pytest11 entry point registers; listing
# localgov.testing.pytest_plugin here too would register it twice, which pytest refuses.
pytest_plugins = ["pytester"]


@pytest.fixture
def store_url(localgov_database_url: str) -> str:
    """The test's database: an SQLite file, then a fresh PostgreSQL database (localgov's fixture)."""
    return localgov_database_url


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[..., Path]:
    """Write a dict as a TOML file under the test's temporary folder and return its path."""

    def write(data: dict[str, Any], name: str = "catalogue.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        return path

    return write


VALID_SERVICE: dict[str, Any] = {
    "name": {"ar": "رخصة بناء", "en": "Building permit"},
    "description": {"ar": "ترخيص بإنشاء مبنى جديد", "en": "Permit to erect a new building"},
    "category": "building",
    "department": "engineering",
    "workflow": "permit",
    "time_limit_days": 30,
    "channels": ["front_desk", "portal"],
    "issues": {"kind": "permit", "validity": {"years": 3}},
    "steps": [{"ar": "تقديم الطلب", "en": "Submit the request"}],
    "fields": [
        {"name": "floors", "type": "number", "label": {"ar": "عدد الأدوار", "en": "Floors"}, "minimum": 1},
        {"name": "built_area", "type": "area", "label": {"ar": "المساحة المبنية", "en": "Built area"}},
        {
            "name": "use",
            "type": "choice",
            "label": {"ar": "الاستخدام", "en": "Use"},
            "choices": [
                {"value": "residential", "label": {"ar": "سكني", "en": "Residential"}},
                {"value": "commercial", "label": {"ar": "تجاري", "en": "Commercial"}},
            ],
        },
    ],
    "documents": [
        {"type": "national_id_copy"},
        {"type": "ownership_proof", "max_size_mb": 10},
        {"type": "commercial_register", "when": {"field": "use", "equals": ["commercial"]}},
    ],
    "fees": [{"rule": "test_review_fee"}, {"rule": "test_area_fee"}],
}

VALID_FEE_RULES: dict[str, Any] = {
    "test_review_fee": {
        "name": {"ar": "رسم مراجعة", "en": "Review fee"},
        "revenue_item": "TEST-01",
        "kind": "fixed",
        "amount": "150.00",
    },
    "test_area_fee": {
        "name": {"ar": "رسم المساحة", "en": "Area fee"},
        "revenue_item": "TEST-02",
        "kind": "per_unit",
        "rate": "2.50",
        "basis": "built_area",
        "minimum": "100",
    },
}


@pytest.fixture
def valid_catalogue() -> dict[str, Any]:
    """A small, valid catalogue file's data (it relies on localgov's core entries)."""
    return copy.deepcopy({"services": {"test_permit": VALID_SERVICE}, "fee_rules": VALID_FEE_RULES})
