"""Who serves the citizen, and where: governorate -> zone -> local unit -> service point -> staff."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

import attrs

from localgov.i18n import LocalizedText
from localgov.organisation.governorates import GovernorateKind

__all__ = [
    "Governorate",
    "LocalUnit",
    "LocalUnitKind",
    "Opening",
    "ServicePoint",
    "ServicePointKind",
    "StaffMember",
    "Zone",
]


class LocalUnitKind(str, Enum):
    DISTRICT = "district"  # حي
    MARKAZ = "markaz"  # مركز
    CITY = "city"  # مدينة
    VILLAGE = "village"  # قرية


# City governorates (Cairo, Alexandria, Port Said, Suez) are divided into districts only.
ALLOWED_UNIT_KINDS: Mapping[GovernorateKind, frozenset[LocalUnitKind]] = {
    GovernorateKind.CITY: frozenset({LocalUnitKind.DISTRICT}),
    GovernorateKind.REGIONAL: frozenset(LocalUnitKind),
}


# What a unit may belong to (``parent``). A village belongs to its markaz; a city may be the seat
# of a markaz (مركز ومدينة بنها) or stand alone (Shubra El Kheima); a district divides a city.
PARENT_KINDS: Mapping[LocalUnitKind, frozenset[LocalUnitKind]] = {
    LocalUnitKind.MARKAZ: frozenset(),
    LocalUnitKind.CITY: frozenset({LocalUnitKind.MARKAZ}),
    LocalUnitKind.VILLAGE: frozenset({LocalUnitKind.MARKAZ}),
    LocalUnitKind.DISTRICT: frozenset({LocalUnitKind.CITY}),
}


class ServicePointKind(str, Enum):
    TECHNOLOGY_CENTER = "technology_center"  # المركز التكنولوجي لخدمة المواطنين
    POST_OFFICE = "post_office"  # مكتب / مجمع بريد
    MOBILE_UNIT = "mobile_unit"  # الحي المتنقل: a clerk with a tablet


@attrs.frozen
class Zone:
    """A zone of a governorate (Cairo's north, south, east and west), with its own zone center."""

    code: str
    name: LocalizedText


@attrs.frozen
class LocalUnit:
    code: str
    kind: LocalUnitKind
    name: LocalizedText
    zone: str | None = None
    # A village belongs to a markaz; a district may belong to a city in a regional governorate.
    parent: str | None = None
    # Short upper-case code printed in tracking and permit numbers ("ZTN" for Zeitoun).
    tracking_code: str | None = None

    @property
    def short_code(self) -> str:
        derived = self.code.replace("_", "").upper()[:8]
        # Tracking numbers need at least two characters; "a" becomes "AX", never a lone letter.
        return self.tracking_code or derived.ljust(2, "X")


class Opening(str, Enum):
    """How a technology center came to be; the seeds report new and upgraded centers separately."""

    NEW = "new"
    UPGRADED = "upgraded"


@attrs.frozen
class ServicePoint:
    code: str
    kind: ServicePointKind
    unit: str
    name: LocalizedText
    opened: Opening | None = None


@attrs.frozen
class Governorate:
    """One governorate's organisation, validated: every reference resolves."""

    code: str
    name: LocalizedText
    kind: GovernorateKind
    zones: Mapping[str, Zone]
    units: Mapping[str, LocalUnit]
    service_points: Mapping[str, ServicePoint]

    def unit(self, code: str) -> LocalUnit:
        from localgov.catalogue.catalogue import UnknownEntry

        try:
            return self.units[code]
        except KeyError:
            raise UnknownEntry("local_units", code, self.units) from None

    def service_points_of(self, unit_code: str) -> list[ServicePoint]:
        return [p for p in self.service_points.values() if p.unit == unit_code]

    def children_of(self, unit_code: str) -> list[LocalUnit]:
        """The units that belong to ``unit_code``: a markaz's villages and cities, a city's districts."""
        return [u for u in self.units.values() if u.parent == unit_code]

    def lineage(self, unit_code: str) -> list[LocalUnit]:
        """``unit_code`` and the units it belongs to, nearest first (a village, then its markaz).

        The loader's parent rules make every chain short and acyclic (district, city, markaz).
        """
        chain = [self.unit(unit_code)]
        while chain[-1].parent is not None and len(chain) <= len(PARENT_KINDS):
            chain.append(self.unit(chain[-1].parent))
        return chain


def _roles(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(roles)


@attrs.frozen
class StaffMember:
    """An employee: the roles they hold at one local unit.

    Staff records are operational data (they come from the governorate's HR system, not from
    plugin files), so they are built in code or loaded by the embedding application.
    """

    id: str
    name: str
    unit: str
    roles: frozenset[str] = attrs.field(converter=_roles)
    department: str | None = None
    # Lets the engine refuse an employee acting on their own request.
    national_id: str | None = None
