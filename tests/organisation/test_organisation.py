"""The organisation model holds every governorate's shape and refuses impossible ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from localgov.catalogue import CatalogueError
from localgov.organisation import (
    GOVERNORATES,
    GovernorateKind,
    LocalUnitKind,
    governorate_facts,
    load_organisation,
    load_staff,
)


def write(tmp_path: Path, text: str, name: str = "org.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_organisation(paths)
    return [str(p) for p in caught.value.problems]


def test_all_27_governorates_with_unique_codes() -> None:
    assert len(GOVERNORATES) == 27
    assert len({g.code for g in GOVERNORATES}) == len({g.national_id_code for g in GOVERNORATES}) == 27
    city = {g.name.en for g in GOVERNORATES if g.kind is GovernorateKind.CITY}
    assert city == {"Cairo", "Alexandria", "Port Said", "Suez"}
    assert governorate_facts("C") is not None and governorate_facts("C").name.ar == "القاهرة"  # type: ignore[union-attr]
    assert governorate_facts("XX") is None


# Banha markaz with its seat city and a village: the start of each regional organisation below.
BANHA = """governorate = "KB"
[units.banha]
kind = "markaz"
name = { ar = "مركز بنها", en = "Banha markaz" }
[units.banha_city]
kind = "city"
parent = "banha"
name = { ar = "مدينة بنها", en = "Banha city" }
[units.kafr_saad]
kind = "village"
parent = "banha"
name = { ar = "قرية كفر سعد", en = "Kafr Saad village" }
"""


def test_a_regional_governorate_holds_markaz_city_and_village(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BANHA
        + """[service_points.kafr_saad_post]
kind = "post_office"
unit = "kafr_saad"
name = { ar = "مكتب بريد كفر سعد", en = "Kafr Saad post office" }
""",
    )
    qalyubia = load_organisation([path])["KB"]
    assert qalyubia.kind is GovernorateKind.REGIONAL
    assert {u.kind for u in qalyubia.units.values()} == {
        LocalUnitKind.MARKAZ,
        LocalUnitKind.CITY,
        LocalUnitKind.VILLAGE,
    }
    assert [p.code for p in qalyubia.service_points_of("kafr_saad")] == ["kafr_saad_post"]


def test_a_city_governorate_has_districts_only(tmp_path: Path) -> None:
    path = write(
        tmp_path, 'governorate = "ALX"\n[units.borg]\nkind = "markaz"\nname = { ar = "مركز", en = "Markaz" }\n'
    )
    assert any('units.borg.kind: a city governorate has only district units, got "markaz"' in p for p in problems(path))


def test_references_and_codes_are_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
governorate = "GZ"
[units.village_a]
kind = "village"
name = { ar = "قرية", en = "Village" }
[units.dokki]
kind = "district"
zone = "nowhere"
tracking_code = "dk"
name = { ar = "حي الدقي", en = "Dokki" }
[service_points.p1]
kind = "kiosk"
unit = "dokki"
name = { ar = "نقطة", en = "Point" }
[service_points.p2]
kind = "post_office"
unit = "missing_unit"
name = { ar = "بريد", en = "Post" }
""",
    )
    found = problems(path)
    for fragment in (
        "units.village_a.parent: a village must name the markaz it belongs to",
        'units.dokki.zone: unknown zone "nowhere"',
        'units.dokki.tracking_code: expected 2-8 upper-case letters or digits, got "dk"',
        'service_points.p1.kind: expected one of technology_center, post_office, mobile_unit, got "kiosk"',
        'service_points.p2.unit: unknown local unit "missing_unit"',
    ):
        assert any(fragment in p for p in found), (fragment, found)


def test_unknown_governorate_and_clashing_short_codes(tmp_path: Path) -> None:
    unknown = write(tmp_path, 'governorate = "Atlantis"\n', "a.toml")
    clash = write(
        tmp_path,
        """
governorate = "C"
[units.nasr_city_east]
kind = "district"
name = { ar = "شرق مدينة نصر", en = "Nasr City East" }
[units.nasr_city_west]
kind = "district"
name = { ar = "غرب مدينة نصر", en = "Nasr City West" }
""",
        "b.toml",
    )
    found = problems(unknown, clash)
    assert any('a.toml: governorate: expected an ISO 3166-2:EG governorate code, got "Atlantis"' in p for p in found)
    assert any("short code 'NASRCITY' is already used" in p for p in found)


def test_staff_roster_is_validated_against_units_and_roles(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        'governorate = "SUZ"\n[units.arbaeen]\nkind = "district"\nname = { ar = "الأربعين", en = "Arbaeen" }\n',
    )
    organisation = load_organisation([org])
    roster = write(
        tmp_path,
        """
[staff.mona]
name = "منى"
unit = "arbaeen"
roles = ["front_desk_clerk"]
[staff.ali]
name = "علي"
unit = "faisal"
roles = ["wizard"]
""",
        "staff.toml",
    )
    with pytest.raises(CatalogueError) as caught:
        load_staff([roster], organisation=organisation, known_roles={"front_desk_clerk"})
    found = [str(p) for p in caught.value.problems]
    assert any('staff.ali.unit: unknown local unit "faisal"' in p for p in found)
    assert any('staff.ali.roles: unknown role "wizard"' in p for p in found)
    good = write(tmp_path, '[staff.mona]\nname = "منى"\nunit = "arbaeen"\nroles = ["front_desk_clerk"]\n', "good.toml")
    (mona,) = load_staff([good], organisation=organisation, known_roles={"front_desk_clerk"})
    assert mona.roles == frozenset({"front_desk_clerk"})


def test_each_kind_of_unit_belongs_where_it_can(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
governorate = "KB"
[units.banha]
kind = "markaz"
name = { ar = "مركز بنها", en = "Banha markaz" }
[units.banha_city]
kind = "city"
parent = "banha"
name = { ar = "مدينة بنها", en = "Banha city" }
[units.shubra_el_kheima]
kind = "city"
name = { ar = "مدينة شبرا الخيمة", en = "Shubra El Kheima city" }
[units.shubra_el_kheima_east]
kind = "district"
parent = "shubra_el_kheima"
tracking_code = "SKE"
name = { ar = "حي شرق شبرا الخيمة", en = "Shubra El Kheima East district" }
[units.orphan_district]
kind = "district"
name = { ar = "حي", en = "District" }
[units.village_of_a_city]
kind = "village"
parent = "banha_city"
name = { ar = "قرية", en = "Village" }
[units.district_of_a_markaz]
kind = "district"
parent = "banha"
name = { ar = "حي", en = "District" }
[units.markaz_in_a_city]
kind = "markaz"
parent = "shubra_el_kheima"
name = { ar = "مركز", en = "Markaz" }
[units.city_in_a_city]
kind = "city"
parent = "banha_city"
name = { ar = "مدينة", en = "City" }
""",
    )
    found = problems(path)
    expected = [
        "units.orphan_district.parent: a district must name the city it divides",
        'units.village_of_a_city.parent: a village belongs to a markaz, not to city "banha_city"',
        'units.district_of_a_markaz.parent: a district belongs to a city, not to markaz "banha"',
        "units.markaz_in_a_city.parent: a markaz belongs to no other local unit",
        'units.city_in_a_city.parent: a city belongs to a markaz, not to city "banha_city"',
    ]
    assert sorted(p.split(": ", 1)[1] for p in found) == sorted(expected)


def test_lineage_and_children_of_a_regional_governorate(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BANHA
        + """[units.shubra_el_kheima]
kind = "city"
name = { ar = "مدينة شبرا الخيمة", en = "Shubra El Kheima city" }
[units.shubra_el_kheima_west]
kind = "district"
parent = "shubra_el_kheima"
tracking_code = "SKW"
name = { ar = "حي غرب شبرا الخيمة", en = "Shubra El Kheima West district" }
""",
    )
    qalyubia = load_organisation([path])["KB"]
    assert [u.code for u in qalyubia.lineage("kafr_saad")] == ["kafr_saad", "banha"]
    assert [u.code for u in qalyubia.lineage("shubra_el_kheima_west")] == ["shubra_el_kheima_west", "shubra_el_kheima"]
    assert [u.code for u in qalyubia.lineage("banha")] == ["banha"]
    assert sorted(u.code for u in qalyubia.children_of("banha")) == ["banha_city", "kafr_saad"]
