"""Property tests for what the engine takes from outside: form values and mobile numbers."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.catalogue import FieldType
from localgov.catalogue.model import Choice, FormField
from localgov.i18n import LocalizedText
from localgov.phone import InvalidMobileNumber, normalise_mobile
from localgov.requests.errors import InvalidForm
from localgov.requests.forms import validate_form
from tests.requests.support import cairo

LABEL = LocalizedText("حقل", "Field")
CHOICES = (Choice("a", LABEL), Choice("b", LABEL), Choice("c", LABEL))
# One optional field of every type, with the limits a catalogue may set.
FIELDS = tuple(
    FormField(
        name=field_type.value,
        type=field_type,
        label=LABEL,
        required=False,
        minimum=Decimal(1) if field_type in (FieldType.NUMBER, FieldType.MONEY, FieldType.AREA) else None,
        maximum=Decimal(1000000) if field_type is FieldType.NUMBER else None,
        max_length=40 if field_type is FieldType.TEXT else None,
        choices=CHOICES if field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) else (),
    )
    for field_type in FieldType
)
SERVICE = attrs.evolve(cairo().catalogue.service("building_permit"), code="every_field", fields=FIELDS)

# Anything a JSON body, a tablet form or a careless caller could put in a field.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=60),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=10),
    st.sampled_from(
        [
            "a",
            "b",
            "c",
            "1",
            "٢٥٠",
            "1e999",
            "NaN",
            "-0",
            "2026-02-30",
            "01012345678",
            "28005170112340",
            " ",
            "1.005",
            "Infinity",
            "0x10",
            "1_000",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
forms = st.dictionaries(st.sampled_from([f.name for f in FIELDS] + ["unknown", ""]), values, max_size=len(FIELDS) + 2)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(forms)
def test_form_validation_refuses_only_with_invalid_form(form: dict[str, Any]) -> None:
    try:
        normalised = validate_form(SERVICE, form)
    except InvalidForm as refused:
        assert refused.problems and set(refused.problems) <= set(form) | {f.name for f in FIELDS}
        return
    # What is accepted is JSON-ready and keeps to the field's own kind.
    for name, value in normalised.items():
        kind = FieldType(name)
        if kind is FieldType.MULTI_CHOICE:
            assert isinstance(value, list) and set(value) <= {"a", "b", "c"}
        else:
            assert isinstance(value, str)
        if kind in (FieldType.NUMBER, FieldType.MONEY, FieldType.AREA):
            assert Decimal(value) >= 1
            # Written as people read numbers: digits and a point, never "2.4E+2".
            assert re.fullmatch(r"\d+(\.\d+)?", value), value
        if kind is FieldType.MOBILE:
            assert re.fullmatch(r"\+201[0125]\d{8}", value)
        if kind is FieldType.DATE:
            datetime.date.fromisoformat(value)


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from([f.name for f in FIELDS]), values, min_size=1))
def test_every_bad_field_is_named_at_once(form: dict[str, Any]) -> None:
    bad = set()
    for name, value in form.items():
        try:
            validate_form(SERVICE, {name: value})
        except InvalidForm:
            bad.add(name)
    try:
        validate_form(SERVICE, form)
    except InvalidForm as refused:
        assert set(refused.problems) == bad
    else:
        assert bad == set()


@pytest.mark.parametrize(
    ("given", "stored"), [("240", "240"), ("10", "10"), ("٢٥٠", "250"), ("16.50", "16.50"), (1000000, "1000000")]
)
def test_numbers_are_stored_in_positional_notation(given: object, stored: str) -> None:
    assert validate_form(SERVICE, {"number": given})["number"] == stored


@pytest.mark.parametrize("form", [None, [], "floors=5", 5])
def test_a_form_that_is_not_a_mapping(form: Any) -> None:
    with pytest.raises(InvalidForm):
        validate_form(SERVICE, form)


# ------------------------------------------------------------------------------ mobile numbers

EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
subscriber = st.tuples(st.sampled_from(["10", "11", "12", "15"]), st.text("0123456789", min_size=8, max_size=8))


def spell(network: str, number: str, style: int, eastern: bool) -> str:
    digits = network + number
    spellings = [
        f"0{digits}",
        f"+20{digits}",
        f"+20 {digits[:2]} {digits[2:6]} {digits[6:]}",
        f"0020{digits}",
        f"20{digits}",
        f"0{digits[:2]}-{digits[2:6]}-{digits[6:]}",
        f"(+20) {digits[:2]} {digits[2:]}",
        f"0{digits[:2]}.{digits[2:6]}.{digits[6:]}",
        f"\u200e+20{digits}\u200f",
    ]
    text = spellings[style % len(spellings)]
    return text.translate(EASTERN) if eastern else text


@given(subscriber, st.integers(0, 8), st.booleans())
def test_documented_spellings_are_accepted(parts: tuple[str, str], style: int, eastern: bool) -> None:
    network, number = parts
    assert normalise_mobile(spell(network, number, style, eastern)) == f"+20{network}{number}"


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=50), st.text("0123456789+ -()٠١٢٣٤٥٦٧٨٩", max_size=20)))
def test_anything_else_is_refused_with_invalid_mobile_number(text: str) -> None:
    try:
        result = normalise_mobile(text)
    except InvalidMobileNumber:
        return
    assert re.fullmatch(r"\+201[0125]\d{8}", result)
    # Accepted text has exactly the number's digits, in order, after any country prefix.
    digits = re.sub(r"\D", "", text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")))
    assert digits.endswith(result[4:]) and digits[:-10] in ("0", "20", "0020")


@pytest.mark.parametrize(
    "text",
    [
        "0131234567",
        "01312345678",
        "0101234567",
        "010123456789",
        "+2001012345678",
        "1012345678",
        "",
        "01O12345678",
        "+44 7700 900123",
        "٠١٠١٢٣٤٥٦٧٨x",
        "0" * 41,
    ],
)
def test_not_an_egyptian_mobile(text: str) -> None:
    with pytest.raises(InvalidMobileNumber):
        normalise_mobile(text)


@pytest.mark.parametrize("value", [None, 1012345678, b"01012345678", ["01012345678"], 1.0])
def test_not_text(value: Any) -> None:
    with pytest.raises(InvalidMobileNumber):
        normalise_mobile(value)
