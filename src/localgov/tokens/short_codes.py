"""The short codes a token uses for well-known permit kinds and figures.

A QR code printed on paper has room for about 250 signed bytes at the error-correction level
print needs, so names that every token repeats are sent as small integers. Both tables are part
of the token format (``docs/token-format.md``): codes are only ever added, never reused or
renumbered. Kinds and figures not listed here are still allowed; they travel as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from localgov.i18n import LocalizedText

__all__ = [
    "FIGURES",
    "FIGURES_BY_NAME",
    "KIND_CODES",
    "KIND_LABELS",
    "KIND_NAMES",
    "FigureSpec",
]

#: Permit kind name -> code. The names are the ones certificates list as allowed kinds.
KIND_CODES: Mapping[str, int] = MappingProxyType(
    {
        "building_permit": 1,
        "demolition_permit": 2,
        "elevation_permit": 3,
        "site_validity_statement": 4,
        "shop_licence": 5,
        "occupancy_licence": 6,
        "advertisement_licence": 7,
        "burial_plot_allocation": 8,
    }
)
KIND_NAMES: Mapping[int, str] = MappingProxyType({code: name for name, code in KIND_CODES.items()})

KIND_LABELS: Mapping[str, LocalizedText] = MappingProxyType(
    {
        "building_permit": LocalizedText("رخصة بناء", "Building permit"),
        "demolition_permit": LocalizedText("رخصة هدم", "Demolition permit"),
        "elevation_permit": LocalizedText("رخصة تعلية", "Elevation (extra floors) permit"),
        "site_validity_statement": LocalizedText("بيان صلاحية موقع", "Site validity statement"),
        "shop_licence": LocalizedText("رخصة محل", "Shop licence"),
        "occupancy_licence": LocalizedText("رخصة إشغال", "Occupancy licence"),
        "advertisement_licence": LocalizedText("رخصة إعلان", "Advertisement licence"),
        "burial_plot_allocation": LocalizedText("تخصيص مدفن", "Burial plot allocation"),
    }
)

FigureType = Literal["count", "decimal", "text"]


@attrs.frozen
class FigureSpec:
    """A well-known figure: its code, name, label, unit and how its value is carried.

    ``decimal`` figures travel as integers in hundredths (17.5 m is sent as 1750), exact and
    two bytes smaller than a float.
    """

    code: int
    name: str
    type: FigureType
    label: LocalizedText
    unit: LocalizedText | None = None


_M = LocalizedText("م", "m")
_M2 = LocalizedText("م²", "m²")

FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(1, "floors", "count", LocalizedText("عدد الأدوار", "Floors")),
    FigureSpec(2, "height_m", "decimal", LocalizedText("الارتفاع", "Height"), _M),
    FigureSpec(3, "built_area_m2", "decimal", LocalizedText("مسطح البناء", "Built area"), _M2),
    FigureSpec(4, "land_area_m2", "decimal", LocalizedText("مساحة الأرض", "Land area"), _M2),
    FigureSpec(5, "basement_floors", "count", LocalizedText("عدد البدرومات", "Basement floors")),
    FigureSpec(6, "units", "count", LocalizedText("عدد الوحدات", "Housing units")),
    FigureSpec(7, "shop_area_m2", "decimal", LocalizedText("مساحة المحل", "Shop area"), _M2),
    FigureSpec(8, "activity", "text", LocalizedText("النشاط", "Activity")),
    FigureSpec(9, "plot_number", "text", LocalizedText("رقم المدفن", "Plot number")),
)
FIGURES_BY_CODE: Mapping[int, FigureSpec] = MappingProxyType({f.code: f for f in FIGURES})
FIGURES_BY_NAME: Mapping[str, FigureSpec] = MappingProxyType({f.name: f for f in FIGURES})
