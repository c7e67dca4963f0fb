from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.tokens import PermitClaims, format_permit, reference_building_permit
from localgov.tokens.cbor import decode, encode
from localgov.tokens.claims import claims_from_map, claims_to_map, revocation_hash
from localgov.tokens.registry import KIND_CODES

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
arabic = st.text(
    st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى ٠١٢٣٤٥٦٧٨٩"), min_size=1, max_size=40
)


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
            expires_at=draw(
                st.none() | st.just(issued + timedelta(days=draw(st.integers(1, 4000))))
            ),
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
