"""Governorate overrides: a national service shared, with one governorate's own figures, never copied."""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.app import Localgov
from localgov.catalogue import Catalogue, CatalogueError, FeeItem, load_catalogue
from localgov.organisation import GOVERNORATES

CODES = sorted(g.code for g in GOVERNORATES)
GUARDS = set(Localgov(plugins=[]).guards)
QALYUBIA_FEE = {
    "name": {"ar": "رسم تجريبي", "en": "Test fee"},
    "revenue_item": "kb_test",
    "kind": "fixed",
    "amount": 7,
}


def load(*paths: Path) -> Catalogue:
    return Localgov(plugins=[], catalogue=paths).catalogue


def problems_of(*paths: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load(*paths)
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture(scope="module")
def national() -> Catalogue:
    return Localgov(plugins=[]).catalogue


def test_an_override_changes_its_governorate_only(write_toml: Callable[..., Path], national: Catalogue) -> None:
    path = write_toml(
        {
            "fee_rules": {"kb_test_fee": QALYUBIA_FEE},
            "overrides": [
                {
                    "governorate": "KB",
                    "service": "building_permit",
                    "time_limit_days": 30,
                    "channels": ["front_desk", "post_office"],
                    "documents": [{"type": "national_id_copy"}, {"type": "ownership_proof"}],
                    "fees": [{"rule": "kb_test_fee"}],
                    "placeholders": ["time_limit_days"],
                    "sources": ["a test"],
                }
            ],
        }
    )
    catalogue = load(path)
    base = national.services["building_permit"]
    assert catalogue.services["building_permit"] == base  # the national view is untouched
    own = catalogue.service("building_permit", "KB")
    assert own.time_limit_days == 30
    assert own.channels == ("front_desk", "post_office")
    assert [d.type for d in own.documents] == ["national_id_copy", "ownership_proof"]
    assert own.fees == (FeeItem("kb_test_fee"),)
    # "documents" was a national placeholder; KB's list replaces it, so it is no longer one; KB's
    # time limit is its own placeholder.
    assert own.placeholders == ("issues", "time_limit_days")
    assert own.sources == (*base.sources, "a test")
    # Everything not replaced is the national definition, value for value.
    assert attrs.evolve(own, time_limit_days=0, channels=(), documents=(), fees=(), placeholders=(), sources=()) == (
        attrs.evolve(base, time_limit_days=0, channels=(), documents=(), fees=(), placeholders=(), sources=())
    )
    assert catalogue.service("building_permit", "C") == base
    assert catalogue.for_governorate("KB").services["building_permit"] == own
    assert (
        catalogue.for_governorate("KB").services["site_validity_statement"]
        == (national.services["site_validity_statement"])
    )
    assert catalogue.for_governorate("GZ").services == catalogue.services
    # Only what the override adds is listed again: time_limit_days was a national placeholder too.
    assert not [where for where, _ in catalogue.placeholders() if "overrides" in where]


def test_override_mistakes_name_file_path_and_value(write_toml: Callable[..., Path]) -> None:
    path = write_toml(
        {
            "overrides": [
                {"governorate": "KB", "service": "no_such_service", "time_limit_days": 5},
                {"governorate": "XX", "service": "building_permit", "time_limit_days": 5},
                {"governorate": "KB", "service": "building_permit"},
                {"governorate": "GZ", "service": "building_permit", "fees": [{"rule": "no_such_rule"}]},
                {"governorate": "GZ", "service": "building_permit", "time_limit_days": 3},
                {"governorate": "ALX", "service": "building_permit", "workflow": "renewal"},
                {"governorate": "SUZ", "service": "site_validity_statement", "time_limit_days": 0},
                {
                    "governorate": "DK",
                    "service": "building_permit",
                    "documents": [{"type": "power_of_attorney", "when": {"field": "nope", "equals": ["x"]}}],
                },
            ]
        },
        "qalyubia/services.toml",
    )
    found = problems_of(path)
    name = "qalyubia/services.toml"
    expected = [
        f'{name}: overrides[0].service: unknown service "no_such_service"',
        f'{name}: overrides[1].governorate: unknown governorate "XX"',
        f"{name}: overrides[2]: replaces nothing: give one of time_limit_days, channels, steps, documents, fees",
        f'{name}: overrides[3].fees[0].rule: unknown fee rule "no_such_rule"',
        f"{name}: overrides[4]: governorate 'GZ' already overrides service 'building_permit' in ",
        f"{name}: overrides[5].workflow: unknown key",
        f"{name}: overrides[6].time_limit_days: must be at least 1 working day, got 0",
        f'{name}: overrides[7].documents[0].when.field: unknown field "nope"',
    ]
    for fragment in expected:
        assert sum(1 for p in found if fragment in p) == 1, (fragment, found)
    assert len(found) == len(expected), found


def test_a_governorate_s_own_service_names_known_governorates_and_is_overridden_by_none_other(
    write_toml: Callable[..., Path],
) -> None:
    # The core's site validity statement under two new codes (the core's files are loaded anyway).
    national = files("localgov.catalogue") / "data" / "services" / "national.toml"
    service = tomllib.loads(national.read_text(encoding="utf-8"))["services"]["site_validity_statement"]
    path = write_toml(
        {
            "services": {
                "cairo_only": {**service, "governorates": ["C"]},
                "nowhere": {**service, "governorates": ["XX"]},
            },
            "overrides": [{"governorate": "KB", "service": "cairo_only", "time_limit_days": 5}],
        },
        "cairo/services.toml",
    )
    found = problems_of(path)
    assert any('services.nowhere.governorates[0]: unknown governorate "XX"' in p for p in found), found
    assert any(
        "overrides[0].governorate: service 'cairo_only' is not offered in 'KB' (only in C)" in p for p in found
    ), found


def test_overrides_must_be_an_array_of_tables(write_toml: Callable[..., Path]) -> None:
    path = write_toml({"overrides": {"building_permit": {"time_limit_days": 3}}})
    assert any("overrides: expected an array of tables ([[overrides]]), got a table" in p for p in problems_of(path))


def test_a_channel_an_override_adds_must_take_the_service(write_toml: Callable[..., Path]) -> None:
    path = write_toml(
        {
            "channels": {
                "kiosk": {
                    "name": {"ar": "كشك", "en": "Kiosk"},
                    "services": ["site_validity_statement"],
                    "identification": "id_card",
                }
            },
            "overrides": [{"governorate": "KB", "service": "building_permit", "channels": ["kiosk"]}],
        }
    )
    assert any(
        'overrides[0].channels[0]: channel "kiosk" does not take this service' in p for p in problems_of(path)
    ), problems_of(path)


SERVICES = ("building_permit", "site_validity_statement")
CHANNELS = ("front_desk", "portal", "mobile_unit", "post_office")
OVERRIDE = st.fixed_dictionaries(
    {"governorate": st.sampled_from(CODES), "service": st.sampled_from(SERVICES)},
    optional={
        "time_limit_days": st.integers(min_value=1, max_value=90),
        "channels": st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=4, unique=True),
        "fees": st.just([]),
    },
).filter(lambda o: len(o) > 2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(OVERRIDE, max_size=6, unique_by=lambda o: (o["governorate"], o["service"])))
def test_an_override_never_changes_another_governorates_view(national: Catalogue, overrides: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "overrides.toml"
        path.write_text(tomli_w.dumps({"overrides": overrides}), encoding="utf-8")
        catalogue = load_catalogue(
            [files("localgov.catalogue") / "data", path], known_governorates=CODES, known_guards=GUARDS
        )
    assert catalogue.services == national.services
    replaced = {(o["governorate"], o["service"]): o for o in overrides}
    for code in CODES:
        view = catalogue.for_governorate(code)
        for service in SERVICES:
            own = view.services[service]
            assert catalogue.service(service, code) == own
            override = replaced.get((code, service))
            if override is None:
                assert own == national.services[service], (code, service)
                continue
            for key in ("time_limit_days", "channels", "fees"):
                actual = getattr(own, key)
                if key not in override:
                    assert actual == getattr(national.services[service], key), (code, service, key)
                else:
                    assert (actual if key == "time_limit_days" else list(actual)) == override[key]


def test_a_fee_rule_an_override_brings_is_checked_against_the_service(write_toml: Callable[..., Path]) -> None:
    exempt = {
        **QALYUBIA_FEE,
        "exemptions": [
            {"code": "x", "reason": {"ar": "إعفاء", "en": "Exempt"}, "when": {"field": "no_field", "equals": ["y"]}}
        ],
    }
    path = write_toml(
        {
            "fee_rules": {"kb_exempt_fee": exempt},
            "overrides": [{"governorate": "KB", "service": "building_permit", "fees": [{"rule": "kb_exempt_fee"}]}],
        }
    )
    assert any(
        "fee_rules.kb_exempt_fee.exemptions[0].when.field: service 'building_permit' (as governorate 'KB' offers it) "
        "has no field 'no_field'" in p
        for p in problems_of(path)
    ), problems_of(path)
