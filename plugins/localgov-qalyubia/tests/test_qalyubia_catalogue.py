"""Qalyubia shares the national services and overrides only what differs; it copies nothing."""

from __future__ import annotations

import attrs

from localgov.app import Localgov
from localgov.catalogue import Catalogue


def test_defines_no_service_of_its_own(catalogue: Catalogue, core_catalogue: Catalogue) -> None:
    assert set(catalogue.services) == set(core_catalogue.services)
    assert catalogue.services == core_catalogue.services  # the national view is the core's
    assert set(catalogue.overrides) == {"KB"}


def test_the_building_permit_as_qalyubia_offers_it(catalogue: Catalogue, core_catalogue: Catalogue) -> None:
    national = core_catalogue.services["building_permit"]
    own = catalogue.service("building_permit", "KB")
    assert own.channels == ("front_desk", "portal", "post_office")
    assert [fee.rule for fee in own.fees] == [
        "qalyubia_engineering_center_fee",
        "qalyubia_building_permit_fee",
        "qalyubia_building_review_fee",
    ]
    assert "channels" in own.placeholders
    # Only the channels, the fees and what is said about them differ from the national definition.
    same = {"channels": (), "fees": (), "placeholders": (), "sources": ()}
    assert attrs.evolve(own, **same) == attrs.evolve(national, **same)
    assert own.sources[: len(national.sources)] == national.sources
    assert any(source.startswith("shared/seeds/002") for source in own.sources)


def test_the_site_validity_statement_is_national_as_it_is(catalogue: Catalogue) -> None:
    assert catalogue.service("site_validity_statement", "KB") == catalogue.services["site_validity_statement"]


def test_qalyubia_fee_rules_are_placeholders_booked_to_its_items(
    catalogue: Catalogue, core_catalogue: Catalogue
) -> None:
    own = {code: rule for code, rule in catalogue.fee_rules.items() if code not in core_catalogue.fee_rules}
    assert set(own) == {fee.rule for fee in catalogue.service("building_permit", "KB").fees}
    for rule in own.values():
        assert rule.placeholder and rule.revenue_item.startswith("qalyubia_"), rule.code
    listed = {where.rsplit(".", 1)[-1] for where, _ in catalogue.placeholders()}
    assert set(own) <= listed


def test_another_governorate_sees_nothing_of_qalyubia() -> None:
    cairo_only = Localgov(plugins=["cairo"]).catalogue
    both = Localgov(plugins=["cairo", "qalyubia"]).catalogue
    assert both.for_governorate("C").services == cairo_only.for_governorate("C").services
    national = {code: service for code, service in both.services.items() if not service.governorates}
    assert both.for_governorate("GZ").services == national  # Giza: the national services, nobody's own
    assert "shop_licence" in both.for_governorate("C").services
    assert "shop_licence" not in both.for_governorate("KB").services  # Cairo's own stays Cairo's
    assert both.service("building_permit", "KB") != both.service("building_permit", "C")


def test_services_show_reads_a_governorates_view() -> None:
    from click.testing import CliRunner

    from localgov.cli import cli

    own = CliRunner().invoke(cli, ["services", "show", "building_permit", "--governorate", "KB", "--lang", "en"])
    national = CliRunner().invoke(cli, ["services", "show", "building_permit", "--lang", "en"])
    assert own.exit_code == 0 and national.exit_code == 0, own.output + national.output
    assert "revenue item qalyubia_building_permit" in own.output and "Post office" in own.output
    assert "revenue item building_permit)" in national.output and "Post office" not in national.output


def test_catalogue_check_names_the_overrides() -> None:
    from click.testing import CliRunner
    from localgov_qalyubia import DATA

    from localgov.cli import cli

    result = CliRunner().invoke(cli, ["catalogue", "check", "--with-plugins", str(DATA / "services.toml")])
    assert result.exit_code == 0, result.output
    assert "ok: governorate KB overrides building_permit" in result.output


def test_open311_lists_each_governorate_s_services_by_jurisdiction() -> None:
    from litestar.testing import TestClient

    from localgov.web import create_app

    app = Localgov(plugins=["cairo", "qalyubia"])
    engine = app.engine("sqlite://")
    with TestClient(create_app(app, engine).app) as client:
        qalyubia = client.get("/open311/v2/services.json?jurisdiction_id=KB&lang=en").json()
        cairo = client.get("/open311/v2/services.json?jurisdiction_id=C").json()
    assert {s["service_code"] for s in qalyubia} == {"building_permit", "site_validity_statement"}
    assert "shop_licence" in {s["service_code"] for s in cairo}
