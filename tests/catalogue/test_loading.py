"""The catalogue loader: valid files load; every problem is reported with file, path and value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from localgov.app import Localgov
from localgov.catalogue import CatalogueError, FieldType, IssuedKind, ServiceDefinition


def load(*paths: Path) -> Any:
    return Localgov(plugins=[], catalogue=paths).catalogue


def problems_of(*paths: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load(*paths)
    return [str(problem) for problem in caught.value.problems]


def test_valid_file_loads_into_frozen_definitions(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    catalogue = load(write_toml(valid_catalogue))
    service = catalogue.service("test_permit")
    assert isinstance(service, ServiceDefinition)
    assert service.name.ar == "رخصة بناء"
    assert service.issues.kind is IssuedKind.PERMIT
    assert [f.type for f in service.fields] == [FieldType.NUMBER, FieldType.AREA, FieldType.CHOICE]
    assert service.fields[0].minimum == Decimal(1)
    assert catalogue.fee_rules["test_area_fee"].rate == Decimal("2.50")
    assert service.documents[2].when is not None and service.documents[2].when.equals == ("commercial",)
    with pytest.raises(AttributeError):
        service.code = "other"  # type: ignore[misc]


def test_five_different_mistakes_are_all_reported(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    service = valid_catalogue["services"]["test_permit"]
    service["category"] = "bulding"  # unknown reference
    service["channels"] = ["front_desk", "fax"]  # unknown channel
    service["documents"][1]["max_size_mb"] = "ten"  # wrong type
    service["fees"][0]["rule"] = "no_such_rule"  # unknown fee rule
    service["fields"][0]["lable"] = {"ar": "خطأ", "en": "typo"}  # unknown key
    path = write_toml(valid_catalogue, "cairo/services/building.toml")

    problems = problems_of(path)

    where = "services.test_permit"
    assert len(problems) == 5, problems
    expected = [
        f'{where}.documents[1].max_size_mb: expected a number, got "ten"',
        f"{where}.fields[0].lable: unknown key",
        f'{where}.category: unknown category "bulding"',
        f'{where}.channels[1]: unknown channel "fax"',
        f'{where}.fees[0].rule: unknown fee rule "no_such_rule"',
    ]
    for fragment in expected:
        assert any(fragment in p and "building.toml" in p for p in problems), (fragment, problems)


def test_duplicate_codes_across_files_name_both_files(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    first = write_toml(valid_catalogue, "a.toml")
    second = write_toml({"services": valid_catalogue["services"]}, "b.toml")
    problems = problems_of(first, second)
    assert any(
        "b.toml: services.test_permit: duplicate code, already defined in" in p and "a.toml" in p for p in problems
    )


def test_money_written_as_a_float_is_refused(write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]) -> None:
    valid_catalogue["fee_rules"]["test_review_fee"]["amount"] = 150.1
    problems = problems_of(write_toml(valid_catalogue))
    assert any("fee_rules.test_review_fee.amount: expected an amount written as a string" in p for p in problems)


def test_integers_are_not_coerced_from_floats_or_strings(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["services"]["test_permit"]["time_limit_days"] = 5.9
    problems = problems_of(write_toml(valid_catalogue))
    assert any("time_limit_days: expected a whole number, got 5.9" in p for p in problems)


def test_code_must_be_the_table_name(write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]) -> None:
    valid_catalogue["services"]["test_permit"]["code"] = "other"
    problems = problems_of(write_toml(valid_catalogue))
    assert any("services.test_permit.code: the code is the table's name" in p for p in problems)


def test_invalid_code_is_reported(write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]) -> None:
    valid_catalogue["services"]["Building Permit"] = valid_catalogue["services"].pop("test_permit")
    problems = problems_of(write_toml(valid_catalogue))
    assert any('services.Building Permit: invalid code "Building Permit"' in p for p in problems)


def test_condition_must_name_a_field_and_one_of_its_choices(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    documents = valid_catalogue["services"]["test_permit"]["documents"]
    documents[2]["when"] = {"field": "use", "equals": ["industrial"]}
    documents.append({"type": "tax_card", "when": {"field": "activity", "equals": ["food"]}})
    problems = problems_of(write_toml(valid_catalogue))
    assert any("documents[2].when.equals[0]: \"industrial\" is not a choice of 'use'" in p for p in problems)
    assert any('documents[3].when.field: unknown field "activity"' in p for p in problems)


def test_fee_rule_basis_must_be_a_numeric_field_of_the_service(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["fee_rules"]["test_area_fee"]["basis"] = "use"
    problems = problems_of(write_toml(valid_catalogue))
    assert any("fees[1].rule: fee rule 'test_area_fee' is computed from field 'use'" in p for p in problems)


def test_fee_rule_kinds_require_their_figures(write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]) -> None:
    valid_catalogue["fee_rules"]["test_bad_tiers"] = {
        "name": {"ar": "شرائح", "en": "Tiers"},
        "revenue_item": "T",
        "kind": "tiered",
        "basis": "built_area",
        "tiers": [{"up_to": "200", "rate": "1"}, {"up_to": "100", "rate": "2"}],
    }
    valid_catalogue["fee_rules"]["test_no_amount"] = {
        "name": {"ar": "ثابت", "en": "Fixed"},
        "revenue_item": "T",
        "kind": "fixed",
    }
    problems = problems_of(write_toml(valid_catalogue))
    assert any("fee_rules.test_bad_tiers.tiers[1].up_to: the last tier must be open-ended" in p for p in problems)
    assert any("fee_rules.test_no_amount.amount: required for a fixed fee rule" in p for p in problems)


def test_workflow_references_are_checked(write_toml: Callable[..., Path]) -> None:
    workflow = {
        "name": {"ar": "تجربة", "en": "Trial"},
        "initial": "start",
        "states": {
            "start": {"name": {"ar": "بداية", "en": "Start"}},
            "done": {"name": {"ar": "نهاية", "en": "Done"}, "final": True},
            "stuck": {"name": {"ar": "عالق", "en": "Stuck"}, "clock": "frozen"},
        },
        "actions": {
            "finish": {
                "label": {"ar": "إنهاء", "en": "Finish"},
                "from": ["start", "nowhere"],
                "to": "done",
                "roles": ["wizard"],
                "guards": ["moon_is_full"],
            }
        },
        "separation_of_duties": [{"performed": "review", "forbids": ["approval"]}],
    }
    problems = problems_of(write_toml({"workflows": {"trial": workflow}}))
    expected = [
        'workflows.trial.actions.finish.from[1]: unknown state "nowhere"',
        'workflows.trial.actions.finish.roles[0]: unknown role "wizard"',
        'workflows.trial.actions.finish.guards[0]: unknown guard "moon_is_full"',
        'workflows.trial.states.stuck.clock: expected one of running, paused, got "frozen"',
        "workflows.trial.states.stuck: not final, but no action leaves it",
        'workflows.trial.separation_of_duties[0]: no action performs duty "review"',
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)


def test_unreadable_and_invalid_toml_are_problems_not_tracebacks(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[services.x\nname = 1", encoding="utf-8")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    problems = problems_of(broken, binary, tmp_path / "missing.toml")
    assert any("broken.toml: not valid TOML" in p for p in problems)
    assert any("binary.toml: not UTF-8 text" in p for p in problems)
    assert any("missing.toml: file not found" in p for p in problems)


def test_a_folder_is_read_recursively_and_a_file_named_twice_is_read_once(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    path = write_toml(valid_catalogue, "gov/services/building.toml")
    catalogue = load(path.parent.parent, path)
    assert "test_permit" in catalogue.services


def test_placeholders_are_listed_with_their_origin(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["services"]["test_permit"]["placeholders"] = ["time_limit_days"]
    valid_catalogue["fee_rules"]["test_review_fee"]["placeholder"] = True
    catalogue = load(write_toml(valid_catalogue))
    listed = catalogue.placeholders()
    assert any(where.endswith("services.test_permit") and what == "time_limit_days" for where, what in listed)
    assert any(where.endswith("fee_rules.test_review_fee") and what == "amount" for where, what in listed)


def test_placeholder_must_name_a_service_attribute(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["services"]["test_permit"]["placeholders"] = ["price"]
    problems = problems_of(write_toml(valid_catalogue))
    assert any('placeholders[0]: "price" is not a service attribute' in p for p in problems)


def test_a_reference_to_a_broken_entry_is_not_reported_twice(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["fee_rules"]["test_review_fee"]["kind"] = "lump"
    problems = problems_of(write_toml(valid_catalogue))
    assert len(problems) == 1, problems
    assert (
        'fee_rules.test_review_fee.kind: expected one of fixed, per_unit, tiered, percentage, got "lump"' in problems[0]
    )
