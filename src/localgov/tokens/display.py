"""The verified fields of a permit as an inspector reads them, in Arabic and English."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from localgov.i18n import LocalizedText, to_eastern_digits
from localgov.tokens.claims import FigureValue, PermitClaims
from localgov.tokens.short_codes import FIGURES_BY_NAME, KIND_LABELS

__all__ = ["format_permit", "permit_fields"]


def _egypt() -> tzinfo:
    # Dates are shown in Egypt's civil time; without a tz database, standard time (UTC+2).
    try:
        return ZoneInfo("Africa/Cairo")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=2))


_EGYPT = _egypt()


def _date(value: datetime) -> str:
    return value.astimezone(_EGYPT).date().isoformat()


def _figure(name: str, value: FigureValue) -> tuple[LocalizedText, LocalizedText]:
    spec = FIGURES_BY_NAME.get(name)
    label = spec.label if spec else LocalizedText(name, name)
    shown = format(value, "f") if isinstance(value, Decimal) else str(value)
    if spec and spec.unit:
        return label, LocalizedText(f"{to_eastern_digits(shown)} {spec.unit.ar}", f"{shown} {spec.unit.en}")
    return label, LocalizedText(to_eastern_digits(shown), shown)


def permit_fields(claims: PermitClaims) -> list[tuple[LocalizedText, LocalizedText]]:
    """(label, value) pairs in reading order; Arabic values use Eastern Arabic digits."""

    def same(text: str) -> LocalizedText:
        return LocalizedText(to_eastern_digits(text), text)

    kind = KIND_LABELS.get(claims.kind)
    fields = [
        (LocalizedText("نوع الترخيص", "Kind"), kind or same(claims.kind)),
        (LocalizedText("رقم الترخيص", "Permit number"), same(claims.permit_number)),
        (LocalizedText("جهة الإصدار", "Issuing unit"), same(claims.issuer)),
        (LocalizedText("اسم صاحب الترخيص", "Holder"), same(claims.holder_name)),
    ]
    if claims.parcel:
        fields.append((LocalizedText("القطعة", "Parcel"), same(claims.parcel)))
    if claims.address:
        fields.append((LocalizedText("العنوان", "Address"), same(claims.address)))
    fields.extend(_figure(name, value) for name, value in claims.figures)
    fields.append((LocalizedText("تاريخ الإصدار", "Issued on"), same(_date(claims.issued_at))))
    if claims.valid_from is not None:
        fields.append((LocalizedText("يسري من", "Valid from"), same(_date(claims.valid_from))))
    expiry = same(_date(claims.expires_at)) if claims.expires_at else LocalizedText("غير محدد", "none")
    fields.append((LocalizedText("تاريخ الانتهاء", "Expires on"), expiry))
    return fields


def format_permit(claims: PermitClaims) -> str:
    """The fields as lines ``label: value`` in Arabic, then in English."""
    fields = permit_fields(claims)
    arabic = [f"{label.ar}: {value.ar}" for label, value in fields]
    english = [f"{label.en}: {value.en}" for label, value in fields]
    return "\n".join([*arabic, "", *english])
