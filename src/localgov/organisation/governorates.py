"""Egypt's 27 governorates: the national facts every governorate plugin builds on.

Codes are the ISO 3166-2:EG subdivision codes (without the ``EG-`` prefix), which are stable and
used by other systems; ``national_id_code`` is the two-digit governorate-of-birth code in the
national ID number. Cairo, Alexandria, Port Said and Suez are city governorates: they are divided
into districts (أحياء) only, never into markaz, city and village units.
"""

from __future__ import annotations

from enum import Enum

import attrs

from localgov.i18n import LocalizedText

__all__ = ["GOVERNORATES", "GovernorateFacts", "GovernorateKind", "governorate_facts"]


class GovernorateKind(str, Enum):
    """How a governorate is divided into local units."""

    CITY = "city"  # districts only (أحياء)
    REGIONAL = "regional"  # markaz, cities, villages (and districts inside large cities)


@attrs.frozen
class GovernorateFacts:
    code: str
    national_id_code: str
    name: LocalizedText
    kind: GovernorateKind


def _g(code: str, nid: str, ar: str, en: str, kind: GovernorateKind = GovernorateKind.REGIONAL) -> GovernorateFacts:
    return GovernorateFacts(code, nid, LocalizedText(ar, en), kind)


_CITY = GovernorateKind.CITY

GOVERNORATES: tuple[GovernorateFacts, ...] = (
    _g("C", "01", "القاهرة", "Cairo", _CITY),
    _g("ALX", "02", "الإسكندرية", "Alexandria", _CITY),
    _g("PTS", "03", "بورسعيد", "Port Said", _CITY),
    _g("SUZ", "04", "السويس", "Suez", _CITY),
    _g("DT", "11", "دمياط", "Damietta"),
    _g("DK", "12", "الدقهلية", "Dakahlia"),
    _g("SHR", "13", "الشرقية", "Sharqia"),
    _g("KB", "14", "القليوبية", "Qalyubia"),
    _g("KFS", "15", "كفر الشيخ", "Kafr El Sheikh"),
    _g("GH", "16", "الغربية", "Gharbia"),
    _g("MNF", "17", "المنوفية", "Monufia"),
    _g("BH", "18", "البحيرة", "Beheira"),
    _g("IS", "19", "الإسماعيلية", "Ismailia"),
    _g("GZ", "21", "الجيزة", "Giza"),
    _g("BNS", "22", "بني سويف", "Beni Suef"),
    _g("FYM", "23", "الفيوم", "Fayoum"),
    _g("MN", "24", "المنيا", "Minya"),
    _g("AST", "25", "أسيوط", "Asyut"),
    _g("SHG", "26", "سوهاج", "Sohag"),
    _g("KN", "27", "قنا", "Qena"),
    _g("ASN", "28", "أسوان", "Aswan"),
    _g("LX", "29", "الأقصر", "Luxor"),
    _g("BA", "31", "البحر الأحمر", "Red Sea"),
    _g("WAD", "32", "الوادي الجديد", "New Valley"),
    _g("MT", "33", "مطروح", "Matrouh"),
    _g("SIN", "34", "شمال سيناء", "North Sinai"),
    _g("JS", "35", "جنوب سيناء", "South Sinai"),
)

_BY_CODE = {g.code: g for g in GOVERNORATES}


def governorate_facts(code: str) -> GovernorateFacts | None:
    """The national facts for an ISO 3166-2:EG code (``"C"`` for Cairo), or ``None``."""
    return _BY_CODE.get(code)
