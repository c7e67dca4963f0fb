from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.tokens.base45 import ALPHABET, Base45Error, b45decode, b45encode

# RFC 9285 §4.3 and §4.4 examples.
RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
]


@pytest.mark.parametrize(("data", "text"), RFC_EXAMPLES)
def test_rfc_examples(data: bytes, text: str) -> None:
    assert b45encode(data) == text
    assert b45decode(text) == data


@given(st.binary(max_size=600))
def test_round_trip(data: bytes) -> None:
    text = b45encode(data)
    assert set(text) <= set(ALPHABET)
    assert b45decode(text) == data


@pytest.mark.parametrize(
    "text",
    ["GGW", "ZZZ", ":::", "A", "0000A", "abc", "QED8WEX0~", "BB8\u0660", "FGW" + "GGW"],
)
def test_invalid_texts_are_refused(text: str) -> None:
    with pytest.raises(Base45Error):
        b45decode(text)


def test_largest_group_value_is_accepted() -> None:
    assert b45decode("FGW") == b"\xff\xff"
    assert b45decode("U5") == b"\xff"


def test_overflowing_group_is_found_after_valid_ones() -> None:
    text = b45encode(b"\xff\xff" * 5) + "GGW"
    with pytest.raises(Base45Error, match="position 15"):
        b45decode(text)


@given(st.text(alphabet=ALPHABET + "abc\u0627~", max_size=90))
def test_any_text_decodes_or_raises_base45_error(text: str) -> None:
    try:
        data = b45decode(text)
    except Base45Error:
        return
    assert b45encode(data) == text
