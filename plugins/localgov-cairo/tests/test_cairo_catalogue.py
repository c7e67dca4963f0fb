"""Cairo's services: every one the seeds name, and no figure presented as fact unless it is public."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest

from localgov.catalogue import (
    Catalogue,
    Condition,
    FeeRule,
    FeeRuleKind,
    FieldType,
    IssuedKind,
    ProcedureStep,
    ServiceDefinition,
    Validity,
)
from localgov.catalogue.checks import RETURN
from localgov.i18n import LocalizedText

# Service code -> (workflow, what it issues, the words of the seeds that must be in its Arabic name).
SEED_SERVICES = {
    "building_permit": ("permit", IssuedKind.PERMIT, "رخصة بناء"),
    "demolition_permit": ("permit", IssuedKind.PERMIT, "هدم"),
    "elevation_permit": ("permit", IssuedKind.PERMIT, "تعلية"),
    "site_validity_statement": ("permit", IssuedKind.STATEMENT, "بيان صلاحية موقع"),
    "shop_licence": ("permit", IssuedKind.LICENCE, "رخصة محل"),
    "shop_licence_renewal": ("renewal", IssuedKind.LICENCE, "تجديد رخصة محل"),
    "occupancy_licence_renewal": ("renewal", IssuedKind.LICENCE, "إشغال"),
    "advertisement_licence_renewal": ("renewal", IssuedKind.LICENCE, "إعلان"),
    "burial_plot_allocation": ("burial_allocation", IssuedKind.PERMIT, "مدفن"),
    "rent_debt_payment": ("payment", IssuedKind.RECEIPT, "سداد إيجارات أو مديونيات"),
}

# The only figures shared/research/providers.md makes public for these services.
PUBLIC_TIME_LIMITS = {"site_validity_statement": 20, "advertisement_licence_renewal": 60}
PUBLIC_VALIDITIES = {"advertisement_licence_renewal": Validity(years=3)}
PUBLIC_FEE_BOUNDS = {  # rule -> (minimum, maximum)
    "cairo_shop_inspection_fee": (None, Decimal(1000)),
    "cairo_shop_licence_fee": (Decimal(1000), Decimal(100000)),
    "cairo_advertisement_licence_fee": (None, Decimal(10000)),
}
# Seed report 003: the mobile district performs these renewals.
MOBILE_DISTRICT_SERVICES = {"shop_licence_renewal", "occupancy_licence_renewal", "advertisement_licence_renewal"}

ARABIC = re.compile(r"[\u0600-\u06FF]")


def _added(catalogue: Catalogue, core: Catalogue, section: str) -> dict[str, Any]:
    ours: Mapping[str, Any] = getattr(catalogue, section)
    theirs: Mapping[str, Any] = getattr(core, section)
    return {code: value for code, value in ours.items() if code not in theirs}


@pytest.fixture(scope="module")
def services(catalogue: Catalogue, core_catalogue: Catalogue) -> dict[str, ServiceDefinition]:
    """Cairo's services as Cairo offers them: its own, and the national ones it overrides."""
    cairo = catalogue.for_governorate("C")
    overridden = catalogue.overrides.get("C", {})
    return {
        code: cairo.services[code]
        for code in cairo.services
        if code not in core_catalogue.services or code in overridden
    }


def test_national_services_are_shared_not_copied(catalogue: Catalogue, core_catalogue: Catalogue) -> None:
    # The building permit and the site validity statement are national (core catalogue): Cairo
    # overrides only their fees, so the national definitions stay as the core has them.
    for code in ("building_permit", "site_validity_statement"):
        assert catalogue.services[code] == core_catalogue.services[code]
        own = catalogue.service(code, "C")
        assert own.fees != core_catalogue.services[code].fees
        assert all(fee.rule.startswith("cairo_") for fee in own.fees)
        assert attrs.evolve(own, fees=core_catalogue.services[code].fees, sources=()) == attrs.evolve(
            core_catalogue.services[code], sources=()
        )


@pytest.fixture(scope="module")
def fee_rules(catalogue: Catalogue, core_catalogue: Catalogue) -> dict[str, FeeRule]:
    return _added(catalogue, core_catalogue, "fee_rules")


def test_every_seed_service_with_its_workflow_and_issue(services: dict[str, ServiceDefinition]) -> None:
    assert set(services) == set(SEED_SERVICES)
    for code, (workflow, kind, words) in SEED_SERVICES.items():
        service = services[code]
        assert service.workflow == workflow, code
        assert service.issues.kind is kind, code
        assert words in service.name.ar, code


def test_reuses_the_shared_codes(catalogue: Catalogue, core_catalogue: Catalogue) -> None:
    for section in ("categories", "departments", "channels"):
        assert not _added(catalogue, core_catalogue, section), section


def test_building_permit_form(services: dict[str, ServiceDefinition]) -> None:
    service = services["building_permit"]
    types = {f.type for f in service.fields}
    assert {
        FieldType.NATIONAL_ID,
        FieldType.PARCEL,
        FieldType.ADDRESS,
        FieldType.AREA,
        FieldType.CHOICE,
    } <= types
    assert service.field("floors") is not None and service.field("floors").type is FieldType.NUMBER  # type: ignore[union-attr]
    assert service.field("height_m") is not None and service.field("height_m").type is FieldType.NUMBER  # type: ignore[union-attr]
    building_use = service.field("building_use")
    assert building_use is not None and building_use.type is FieldType.CHOICE and building_use.choices


def test_health_certificates_only_for_food_shops(services: dict[str, ServiceDefinition]) -> None:
    for code in ("shop_licence", "shop_licence_renewal"):
        [health] = [d for d in services[code].documents if d.type == "health_certificate"]
        assert health.when == Condition(field="activity", equals=("food",)), code


def _conditions(service: ServiceDefinition) -> Iterator[tuple[str, Condition]]:
    for index, document in enumerate(service.documents):
        if document.when is not None:
            yield f"documents[{index}]", document.when
    for index, fee in enumerate(service.fees):
        if fee.when is not None:
            yield f"fees[{index}]", fee.when


def test_conditions_refer_to_real_fields_and_choices(services: dict[str, ServiceDefinition]) -> None:
    conditional = 0
    for service in services.values():
        for where, condition in _conditions(service):
            conditional += 1
            field = service.field(condition.field)
            assert field is not None, f"{service.code}.{where}: no field {condition.field!r}"
            assert field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE), f"{service.code}.{where}"
            assert set(condition.equals) <= {c.value for c in field.choices}, f"{service.code}.{where}"
    assert conditional >= 5


def test_fee_rules_are_computed_from_numeric_fields(
    services: dict[str, ServiceDefinition], fee_rules: dict[str, FeeRule]
) -> None:
    used = set()
    for service in services.values():
        for fee in service.fees:
            used.add(fee.rule)
            rule = fee_rules[fee.rule]
            if rule.basis is not None:
                basis = service.field(rule.basis)
                assert basis is not None and basis.type in (FieldType.NUMBER, FieldType.MONEY, FieldType.AREA)
    assert used == set(fee_rules), "a Cairo fee rule no service uses"
    assert {rule.kind for rule in fee_rules.values()} == set(FeeRuleKind)
    assert all(rule.revenue_item for rule in fee_rules.values())


def test_a_figure_without_a_source_is_a_placeholder(fee_rules: dict[str, FeeRule]) -> None:
    for rule in fee_rules.values():
        if rule.source is None:
            assert rule.placeholder, rule.code
    # What is public about a fee is its legal bounds, never the amount itself.
    for code, (minimum, maximum) in PUBLIC_FEE_BOUNDS.items():
        rule = fee_rules[code]
        assert (rule.minimum, rule.maximum) == (minimum, maximum), code
        assert rule.placeholder and rule.source and "research" in rule.source, code


def test_only_pass_through_payments_are_not_placeholders(fee_rules: dict[str, FeeRule]) -> None:
    settled = {code: rule for code, rule in fee_rules.items() if not rule.placeholder}
    assert set(settled) == {"cairo_rent_due", "cairo_debt_due"}
    for rule in settled.values():
        assert rule.kind is FeeRuleKind.PERCENTAGE and rule.rate == 100 and rule.basis == "amount_due"


def test_time_limits_are_public_or_placeholders(services: dict[str, ServiceDefinition]) -> None:
    for service in services.values():
        if service.code in PUBLIC_TIME_LIMITS:
            assert service.time_limit_days == PUBLIC_TIME_LIMITS[service.code]
            assert "time_limit_days" not in service.placeholders
            assert any("research" in source for source in service.sources), service.code
        else:
            assert "time_limit_days" in service.placeholders, service.code


def test_validities_are_public_or_placeholders(services: dict[str, ServiceDefinition]) -> None:
    for service in services.values():
        if service.code in PUBLIC_VALIDITIES:
            assert service.issues.validity == PUBLIC_VALIDITIES[service.code]
            assert "issues" not in service.placeholders
        elif service.issues.kind is not IssuedKind.RECEIPT:
            # No invented validity: left unset and flagged for the governorate.
            assert service.issues.validity is None, service.code
            assert "issues" in service.placeholders, service.code


def test_placeholders_are_listed_for_the_governorate(
    catalogue: Catalogue, core_catalogue: Catalogue, fee_rules: dict[str, FeeRule]
) -> None:
    listed = catalogue.placeholders()
    rules_listed = {where.rsplit(".", 1)[-1] for where, what in listed if "fee_rules." in where}
    national = {code for code, rule in core_catalogue.fee_rules.items() if rule.placeholder}
    assert rules_listed - national == {code for code, rule in fee_rules.items() if rule.placeholder}


def test_every_service_cites_the_seeds(services: dict[str, ServiceDefinition]) -> None:
    for service in services.values():
        assert any(source.startswith("shared/seeds/") for source in service.sources), service.code


def test_mobile_district_performs_the_renewals(services: dict[str, ServiceDefinition]) -> None:
    with_mobile = {code for code, service in services.items() if "mobile_unit" in service.channels}
    assert with_mobile == MOBILE_DISTRICT_SERVICES


def test_burial_allocation_is_online_first(services: dict[str, ServiceDefinition]) -> None:
    assert "portal" in services["burial_plot_allocation"].channels


def _texts(value: object, where: str) -> Iterator[tuple[str, str, str]]:
    """Every (where, Arabic, English) pair inside an entry."""
    if isinstance(value, LocalizedText | ProcedureStep):
        yield where, value.ar, value.en
    elif attrs.has(type(value)):
        for attribute in attrs.fields(type(value)):
            yield from _texts(getattr(value, attribute.name), f"{where}.{attribute.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _texts(item, f"{where}[{index}]")


def test_every_text_is_arabic_and_english(catalogue: Catalogue, core_catalogue: Catalogue) -> None:
    checked = 0
    for section in ("services", "fee_rules", "workflows", "roles", "document_types"):
        for code, entry in _added(catalogue, core_catalogue, section).items():
            for where, ar, en in _texts(entry, f"{section}.{code}"):
                checked += 1
                assert ARABIC.search(ar), f"{where}: no Arabic in {ar!r}"
                assert en.strip() and not ARABIC.search(en), f"{where}: English text {en!r}"
    assert checked > 100


def test_burial_allocation_workflow_runs_request_allocation_collection(catalogue: Catalogue) -> None:
    workflow = catalogue.workflow("burial_allocation")
    duties = {action.duty for action in workflow.actions}
    assert {"review", "allocation", "assessment", "payment", "approval"} <= duties
    allocate = [a for a in workflow.actions if a.duty == "allocation"]
    assert allocate and all(a.roles == ("burial_allocation_officer",) for a in allocate)
    # Whoever picks the plot does not approve it.
    assert any(r.performed == "allocation" and "approval" in r.forbids for r in workflow.separation_of_duties)
    payment = [a for a in workflow.actions if a.duty == "payment"]
    assert payment and all("fees_paid" in a.guards for a in payment)
    assert any(s.clock == "paused" for s in workflow.states if any(s.code in a.sources for a in payment))

    # The path request -> allocation -> collection -> allocated exists.
    reachable, queue = {workflow.initial}, deque([workflow.initial])
    while queue:
        state = queue.popleft()
        for action in workflow.actions:
            if state in action.sources and action.dest != RETURN and action.dest not in reachable:
                reachable.add(action.dest)
                queue.append(action.dest)
    assert "allocated" in reachable
    assert workflow.state("allocated") is not None and workflow.state("allocated").final  # type: ignore[union-attr]
