"""Cairo's organisation: 4 zones, 38 districts, the 15 first-phase technology centers."""

from __future__ import annotations

import re

from localgov.organisation import Governorate
from localgov.organisation.model import LocalUnitKind, ServicePointKind

# District code -> the district's name as seed reports 000 and 001 write it.
NEW_CENTERS = {
    "zeitoun": "الزيتون",
    "west_cairo": "غرب القاهرة",
    "central_cairo": "وسط القاهرة",
    "basateen": "البساتين",
    "khalifa": "الخليفة",
    "sayeda_zeinab": "السيدة زينب",
    "maasara": "المعصرة",
    "old_cairo": "مصر القديمة",
    "nasr_city_west": "غرب مدينة نصر",
}
UPGRADED_CENTERS = {
    "zawya_el_hamra": "الزاوية الحمراء",
    "matareya": "المطرية",
    "bab_el_sharia": "باب الشعرية",
    "maadi": "المعادي",
    "salam_1": "السلام أول",
    "heliopolis": "مصر الجديدة",
}
# Districts per zone in shared/research/providers.md.
DISTRICTS_PER_ZONE = {"north": 8, "east": 9, "west": 9, "south": 12}
ARABIC = re.compile(r"[\u0600-\u06FF]")


def test_four_zones(cairo: Governorate) -> None:
    assert set(cairo.zones) == {"north", "south", "east", "west"}
    for zone in cairo.zones.values():
        assert ARABIC.search(zone.name.ar) and not ARABIC.search(zone.name.en)


def test_thirty_eight_districts_each_in_a_zone(cairo: Governorate) -> None:
    assert len(cairo.units) == 38
    assert all(unit.kind is LocalUnitKind.DISTRICT for unit in cairo.units.values())
    per_zone = {zone: 0 for zone in cairo.zones}
    for unit in cairo.units.values():
        assert unit.zone in cairo.zones, unit.code
        per_zone[unit.zone] += 1
    assert per_zone == DISTRICTS_PER_ZONE


def test_district_codes_and_names_are_distinct(cairo: Governorate) -> None:
    units = list(cairo.units.values())
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", unit.code) for unit in units)
    assert len({unit.name.ar for unit in units}) == len(units)
    assert len({unit.name.en for unit in units}) == len(units)
    for unit in units:
        assert ARABIC.search(unit.name.ar) and not ARABIC.search(unit.name.en), unit.code


def _centers(cairo: Governorate) -> dict[str, str | None]:
    """District code -> how its technology center opened."""
    centers = [p for p in cairo.service_points.values() if p.kind is ServicePointKind.TECHNOLOGY_CENTER]
    by_unit = {p.unit: p.opened for p in centers}
    assert len(by_unit) == len(centers), "two technology centers in one district"
    return by_unit


def test_fifteen_technology_centers_with_the_seeds_split(cairo: Governorate) -> None:
    centers = _centers(cairo)
    assert len(centers) == 15
    assert {unit for unit, opened in centers.items() if opened == "new"} == set(NEW_CENTERS)
    assert {unit for unit, opened in centers.items() if opened == "upgraded"} == set(UPGRADED_CENTERS)


def test_centers_are_named_as_the_reports_name_their_districts(cairo: Governorate) -> None:
    spelled = {**NEW_CENTERS, **UPGRADED_CENTERS}
    for point in cairo.service_points.values():
        if point.kind is ServicePointKind.TECHNOLOGY_CENTER:
            assert spelled[point.unit] in point.name.ar, point.code
            assert spelled[point.unit] in cairo.unit(point.unit).name.ar, point.unit
            assert "المركز التكنولوجي" in point.name.ar
            assert "technology center" in point.name.en


def test_one_mobile_district_unit(cairo: Governorate) -> None:
    mobile = [p for p in cairo.service_points.values() if p.kind is ServicePointKind.MOBILE_UNIT]
    assert len(mobile) == 1
    assert "الحي المتنقل" in mobile[0].name.ar
    assert mobile[0].unit in cairo.units
    assert mobile[0] in cairo.service_points_of(mobile[0].unit)


def test_every_district_has_its_own_short_code(cairo: Governorate) -> None:
    # Tracking and permit numbers carry the district's short code: two districts must never share
    # one (the fallback derived from the code would give Nasr City East and West the same).
    short_codes = [unit.short_code for unit in cairo.units.values()]
    assert all(unit.tracking_code for unit in cairo.units.values())
    assert len(set(short_codes)) == len(short_codes)
