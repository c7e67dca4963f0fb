from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.tokens import PermitClaims, format_permit, reference_building_permit
from localgov.tokens.cbor import decode, encode
from localgov.tokens.claims import canonical_decimal, normalise_text, revocation_hash, slot_setters
from localgov.tokens.cwt import (
    _decode_any_figures,
    _decode_figures,
    _from_hundredths,
    claims_from_map,
    claims_to_map,
)
from localgov.tokens.errors import MalformedCbor
from localgov.tokens.short_codes import KIND_CODES

ISSUED = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def _claims(**changes: object) -> PermitClaims:
    fields: dict[str, object] = {
        "issuer": "C-ZTN",
        "permit_number": "1",
        "kind": "building_permit",
        "holder_name": "x",
        "issued_at": ISSUED,
    }
    fields.update(changes)
    return PermitClaims(**fields)  # type: ignore[arg-type]


def test_texts_are_normalised() -> None:
    claims = _claims(holder_name=" \u0627\u0653حمد ٣ ", permit_number="٢٠٢٥/٠٠١")
    assert claims.holder_name == "\u0622حمد 3"  # NFC composes alef + madda; digits ASCII
    assert claims.permit_number == "2025/001"


def test_arabic_travels_in_one_byte_a_letter() -> None:
    permit = claims_to_map(reference_building_permit())[-65537]
    assert isinstance(permit, dict)
    assert isinstance(permit[3], bytes) and len(permit[3]) == len("محمد أحمد عبد الرحمن السيد")
    persian = _claims(holder_name="پدرام")  # not in ISO 8859-6: stays UTF-8 text
    assert claims_to_map(persian)[-65537][3] == "پدرام"  # type: ignore[index]


def test_kinds_use_codes_when_registered() -> None:
    assert claims_to_map(_claims())[-65537][2] == KIND_CODES["building_permit"]  # type: ignore[index]
    assert claims_to_map(_claims(kind="street_vending"))[-65537][2] == "street_vending"  # type: ignore[index]


@pytest.mark.parametrize(
    ("figures", "reason"),
    [
        ({"floors": 2.5}, "floors"),
        ({"floors": -1}, "floors"),
        ({"height_m": "12.345"}, "2 decimals"),
        ({"height_m": "abc"}, "number"),
        ({"height_m": "-1"}, "height_m"),
        ({"activity": 5}, "text"),
        ({"custom": Decimal("1.5")}, "decimals"),
        ({"x": True}, "integer"),
        ({"": 1}, "empty"),
    ],
)
def test_figure_validation(figures: dict[str, object], reason: str) -> None:
    with pytest.raises((ValueError, TypeError), match=reason):
        _claims(figures=figures)


def test_dates_need_a_time_zone_and_order() -> None:
    with pytest.raises(ValueError, match="time zone"):
        _claims(issued_at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="not after"):
        _claims(expires_at=ISSUED)


def test_revocation_hash_is_16_bytes_of_issuer_and_number() -> None:
    assert len(revocation_hash("C-ZTN", "1")) == 16
    assert revocation_hash("C-ZTN", "1") == _claims().revocation_hash
    assert revocation_hash("C-ZT", "N1") != revocation_hash("C-ZTN", "1")


def test_format_permit_is_bilingual() -> None:
    text = format_permit(reference_building_permit())
    assert "رخصة بناء" in text and "Building permit" in text
    assert "١٧.٥ م" in text and "17.5 m" in text and "2028-03-09" in text


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
arabic = st.text(st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى ٠١٢٣٤٥٦٧٨٩"), min_size=1, max_size=40)


@st.composite
def permit_claims(draw: st.DrawFn) -> PermitClaims:
    issued = ISSUED + timedelta(seconds=draw(st.integers(0, 10**8)))
    name_text = draw(arabic | texts)
    figures = draw(
        st.dictionaries(st.sampled_from(["floors", "units"]), st.integers(0, 10**6), max_size=2)
        | st.fixed_dictionaries(
            {
                "height_m": st.decimals(0, 10**4, places=2).map(str),
                "shop_area_m2": st.integers(0, 10**5),
            }
        )
    )
    try:
        return PermitClaims(
            issuer=draw(texts),
            permit_number=draw(texts),
            kind=draw(st.sampled_from(sorted(KIND_CODES)) | texts),
            holder_name=name_text,
            issued_at=issued,
            expires_at=draw(st.none() | st.just(issued + timedelta(days=draw(st.integers(1, 4000))))),
            parcel=draw(st.just("") | arabic),
            address=draw(st.just("") | arabic | texts),
            figures=figures,
        )
    except ValueError:
        from hypothesis import reject

        reject()


@given(permit_claims())
def test_decoding_inverts_encoding(claims: PermitClaims) -> None:
    assert claims_from_map(decode(encode(claims_to_map(claims)))) == claims


# The readers' shortcuts for the usual case must give what the general readers give.


@given(st.integers(0, 2**64 - 1) | st.sampled_from([0, 1, 5, 10, 50, 100, 1750, 24000, 10**20]))
def test_hundredths_read_as_thecanonical_decimal(value: int) -> None:
    expected = canonical_decimal(Decimal(value) / 100)
    assert _from_hundredths(value) == expected
    assert str(_from_hundredths(value)) == str(expected)  # the same spelling too


figure_keys = st.integers(-1, 12) | st.sampled_from(["floors", "custom", "زاوية", ""]) | st.just(True)
figure_values = st.integers(-5, 2**64 - 1) | st.booleans() | st.text(max_size=5) | st.binary(max_size=5)


def _read(reader: object, figures: dict[object, object]) -> object:
    try:
        return repr(reader(figures))  # type: ignore[operator]
    except MalformedCbor as error:
        return str(error)


@given(st.dictionaries(figure_keys, figure_values, max_size=5))
def test_usual_figures_read_as_the_general_reader_does(figures: dict[object, object]) -> None:
    assert _read(_decode_figures, figures) == _read(_decode_any_figures, figures)


@given(st.lists(st.sampled_from([1, 2, 3, 4, 5, 6, 7]), unique=True), st.data())
def test_registered_numbers_in_any_order(codes: list[int], data: st.DataObject) -> None:
    figures: dict[object, object] = {code: data.draw(st.integers(0, 10**9)) for code in codes}
    assert _read(_decode_figures, figures) == _read(_decode_any_figures, figures)


@pytest.mark.parametrize(("key", "twin"), [(1, True), (1, 1.0), (6, 6.0)])
def test_claim_keys_equal_to_integers_are_refused(key: int, twin: object) -> None:
    # cbor2 decodes true and 1.0 as dict keys equal to 1; they are not integers.
    claims_map: dict[object, object] = dict(claims_to_map(_claims()).items())
    claims_map[twin] = claims_map.pop(key)
    with pytest.raises(MalformedCbor, match="not an integer or string"):
        claims_from_map(claims_map)


@pytest.mark.parametrize(("key", "twin"), [(1, True), (3, 3.0)])
def test_permit_keys_equal_to_integers_are_refused(key: int, twin: object) -> None:
    claims_map: dict[object, object] = dict(claims_to_map(_claims()).items())
    permit = dict(claims_map[-65537])  # type: ignore[call-overload]
    permit[twin] = permit.pop(key)
    claims_map[-65537] = permit
    with pytest.raises(MalformedCbor, match="unknown keys"):
        claims_from_map(claims_map)


@given(permit_claims())
def test_claims_built_without_the_constructor_equal_constructed_ones(claims: PermitClaims) -> None:
    fields = attrs.asdict(claims, recurse=False)
    assert PermitClaims._from_checked(**fields) == claims
    assert attrs.asdict(PermitClaims._from_checked(**fields), recurse=False) == fields


def test_slot_setters_need_slots() -> None:
    @attrs.frozen(slots=False)
    class Loose:
        x: int

    with pytest.raises(TypeError, match="not a slot"):
        slot_setters(Loose)


@given(texts, texts)
def test_revocation_hash_is_the_documented_one(issuer: str, number: str) -> None:
    joined = b"%s\x00%s" % (normalise_text(issuer).encode(), normalise_text(number).encode())
    assert revocation_hash(issuer, number) == hashlib.sha256(joined).digest()[:16]
