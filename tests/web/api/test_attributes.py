"""The hand-written readers of untrusted Open311 input, held to their rules by hypothesis."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.web.api.attributes import _ATTRIBUTE, MAX_FIELDS, parse_open311_form
from localgov.web.api.open311_input import form_pairs, json_pairs
from localgov.web.problems import InvalidInput

codes = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
values = st.text(max_size=30)


@given(st.dictionaries(codes, st.one_of(values, st.lists(values, min_size=1, max_size=4)), max_size=10))
def test_attributes_written_as_open311_keys_read_back_as_given(attributes: dict[str, str | list[str]]) -> None:
    pairs: list[tuple[str, str]] = []
    for code, value in attributes.items():
        if isinstance(value, list):
            pairs += [(f"attribute[{code}][]", v) for v in value]
        else:
            pairs.append((f"attribute[{code}]", value))
    body = urllib.parse.urlencode(pairs).encode()
    parsed = parse_open311_form(form_pairs(body))
    assert parsed.attributes == attributes and parsed.fields == {}


@given(st.text(max_size=40), values)
def test_any_other_attribute_key_is_refused_by_its_name(key: str, value: str) -> None:
    key = "attribute" + key
    if _ATTRIBUTE.fullmatch(key):
        return
    with pytest.raises(InvalidInput) as refused:
        parse_open311_form([(key, value)])
    assert list(refused.value.fields) == [key]


@given(st.lists(st.tuples(st.text(max_size=20), values), max_size=30))
def test_arbitrary_pairs_parse_or_are_refused_naming_fields(pairs: list[tuple[str, str]]) -> None:
    try:
        parsed = parse_open311_form(pairs)
    except InvalidInput as refused:
        assert refused.fields and all(isinstance(name, str) for name in refused.fields)
        return
    keys = [k for k, _ in pairs if not k.startswith("attribute")]
    assert sorted(parsed.fields) == sorted(set(keys)) and len(keys) == len(set(keys))


@given(st.binary(max_size=200))
def test_any_body_is_read_or_refused_never_crashes(body: bytes) -> None:
    for reader in (form_pairs, json_pairs):
        try:
            parse_open311_form(reader(body))
        except InvalidInput as refused:
            assert refused.fields


def test_an_attribute_both_single_and_listed_and_a_field_twice_are_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_open311_form([("attribute[use]", "a"), ("attribute[use][]", "b"), ("unit", "x"), ("unit", "y")])
    assert refused.value.fields.keys() == {"attribute[use][]", "unit"}
    with pytest.raises(InvalidInput):
        parse_open311_form([("k", "v")] * (MAX_FIELDS + 1))


def test_json_attributes_become_open311_keys() -> None:
    pairs = json_pairs(b'{"service_code": "x", "attribute": {"floors": 5, "use": ["a", "b"]}}')
    assert parse_open311_form(pairs).attributes == {"floors": "5", "use": ["a", "b"]}
    with pytest.raises(InvalidInput) as refused:
        json_pairs(b'{"attribute": {"floors": {"deep": 1}}}')
    assert list(refused.value.fields) == ["attribute.floors"]
