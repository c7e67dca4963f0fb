"""Checking a submitted form against the service's fields, every field at once.

Values are normalised to JSON-ready forms that keep their meaning exactly: numbers and money as
decimal strings, dates as ISO dates, national IDs and mobile numbers in their canonical spelling.
Form data comes from citizens and clerks' tablets: nothing in it is trusted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from localgov.catalogue import FieldType, FormField, ServiceDefinition
from localgov.i18n import to_western_digits
from localgov.identity import InvalidNationalId, parse_national_id
from localgov.phone import InvalidMobileNumber, normalise_mobile
from localgov.requests.errors import InvalidForm

__all__ = ["validate_form"]

MAX_TEXT = {FieldType.TEXT: 500, FieldType.PARCEL: 100, FieldType.ADDRESS: 300}


class _Refused(ValueError):
    pass


def _text(value: Any, form_field: FormField) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Refused("expected a non-empty text")
    text = " ".join(value.split())
    limit = form_field.max_length or MAX_TEXT.get(form_field.type, 500)
    if len(text) > limit:
        raise _Refused(f"longer than {limit} characters")
    return text


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        # Binary floats are refused for the same reason as in catalogue files: 0.1 is not exact.
        raise _Refused(f"expected a number written as text or a whole number, got {value!r:.40}")
    try:
        number = Decimal(to_western_digits(value.strip()) if isinstance(value, str) else value)
    except InvalidOperation:
        raise _Refused(f"expected a number, got {value!r:.40}") from None
    if not number.is_finite() or abs(number.adjusted()) > 15:
        raise _Refused(f"expected a reasonable number, got {value!r:.40}")
    return number


def _number(value: Any, form_field: FormField) -> str:
    number = _decimal(value)
    if form_field.minimum is not None and number < form_field.minimum:
        raise _Refused(f"{number} is below the minimum {form_field.minimum}")
    if form_field.maximum is not None and number > form_field.maximum:
        raise _Refused(f"{number} is above the maximum {form_field.maximum}")
    # Positional notation always: str(Decimal("240").normalize()) would be "2.4E+2".
    return format(number.normalize() if number == number.to_integral_value() else number, "f")


def _money(value: Any, form_field: FormField) -> str:
    amount = _decimal(value)
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise _Refused(f"expected an amount in pounds with at most two decimals, got {value!r:.40}")
    _number(value, form_field)
    return str(amount.quantize(Decimal("0.01")))


def _area(value: Any, form_field: FormField) -> str:
    if _decimal(value) <= 0:
        raise _Refused("an area must be above 0 m²")
    return _number(value, form_field)


def _date(value: Any, form_field: FormField) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(to_western_digits(value.strip())).isoformat()
        except ValueError:
            pass
    raise _Refused(f"expected a date (YYYY-MM-DD), got {value!r:.40}")


def _choice(value: Any, form_field: FormField) -> str:
    allowed = [c.value for c in form_field.choices]
    if value not in allowed:
        raise _Refused(f"expected one of {', '.join(allowed)}, got {value!r:.40}")
    return str(value)


def _multi_choice(value: Any, form_field: FormField) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) > len(form_field.choices):
        raise _Refused("expected a list of choices")
    chosen = [_choice(item, form_field) for item in value]
    if len(set(chosen)) != len(chosen):
        raise _Refused("a choice is repeated")
    return chosen


def _national_id(value: Any, form_field: FormField) -> str:
    if not isinstance(value, str):
        raise _Refused("expected a national ID number")
    try:
        return parse_national_id(value).number
    except InvalidNationalId as error:
        raise _Refused(str(error)) from None


def _mobile(value: Any, form_field: FormField) -> str:
    try:
        return normalise_mobile(value)
    except InvalidMobileNumber as error:
        raise _Refused(str(error)) from None


_PARSERS: Mapping[FieldType, Callable[[Any, FormField], Any]] = {
    FieldType.TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.MONEY: _money,
    FieldType.DATE: _date,
    FieldType.CHOICE: _choice,
    FieldType.MULTI_CHOICE: _multi_choice,
    FieldType.NATIONAL_ID: _national_id,
    FieldType.MOBILE: _mobile,
    FieldType.AREA: _area,
    FieldType.PARCEL: _text,
    FieldType.ADDRESS: _text,
}


def validate_form(service: ServiceDefinition, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the normalised form, or raise :class:`InvalidForm` naming every bad field."""
    if not isinstance(data, Mapping):
        raise InvalidForm(service.code, {"(form)": "expected a mapping of field names to values"})
    problems: dict[str, str] = {}
    normalised: dict[str, Any] = {}
    known = {f.name for f in service.fields}
    for name in data:
        if name not in known:
            problems[str(name)[:60]] = f"not a field of {service.code}"
    for form_field in service.fields:
        value = data.get(form_field.name)
        if value is None or value == "" or value == []:
            if form_field.required:
                problems[form_field.name] = "required"
            continue
        try:
            normalised[form_field.name] = _PARSERS[form_field.type](value, form_field)
        except _Refused as refusal:
            problems[form_field.name] = str(refusal)
    if problems:
        raise InvalidForm(service.code, problems)
    return normalised
