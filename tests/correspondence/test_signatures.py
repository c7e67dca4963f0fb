"""The letter's CMS signature: what it covers, and that no malformed signature gets past or crashes."""

from __future__ import annotations

import json
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.correspondence import InvalidLetterSignature, canonical_letter, sign_detached, verify_detached
from localgov.pki import Credential, create_root, issue_governorate_ca, issue_unit_signer


@cache
def hierarchy() -> tuple[Credential, Credential, Credential]:
    root = create_root()
    ca = issue_governorate_ca(root, "C", "Cairo CA")
    return root, ca, issue_unit_signer(ca, "C-ZTN", ["letters"])


CONTENT = b'{"body":"\xd9\x86\xd8\xb5","id":"C-ZTN/2026/OUT/000001"}'


@cache
def signature() -> bytes:
    root, ca, signer = hierarchy()
    return sign_detached(CONTENT, signer, [ca.certificate, root.certificate])


def test_it_verifies_to_the_root_and_names_its_unit() -> None:
    root, _, signer = hierarchy()
    assert verify_detached(CONTENT, signature(), unit_code="C-ZTN", root=root.certificate) == signer.certificate
    with pytest.raises(InvalidLetterSignature, match="not of the sending unit 'C-MTR'"):
        verify_detached(CONTENT, signature(), unit_code="C-MTR")
    other_root = create_root()
    with pytest.raises(InvalidLetterSignature, match="does not chain to the root"):
        verify_detached(CONTENT, signature(), root=other_root.certificate)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=600))
def test_any_bytes_are_refused_as_a_signature_never_crash(data: bytes) -> None:
    with pytest.raises(InvalidLetterSignature):
        verify_detached(CONTENT, data)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_a_signature_altered_anywhere_is_refused_or_still_the_signers(position: int, flip: int) -> None:
    # A changed byte in what the signer covers is refused; in what it does not cover (unsigned
    # fields, the embedded root, the encoding around a certificate's own signature), the answer
    # checked to the root is still what the governorate CA certified for the genuine signer.
    original = signature()
    index = position % len(original)
    altered = original[:index] + bytes([original[index] ^ flip]) + original[index + 1 :]
    try:
        certificate = verify_detached(CONTENT, altered, unit_code="C-ZTN", root=hierarchy()[0].certificate)
    except InvalidLetterSignature:
        return
    assert certificate.tbs_certificate_bytes == hierarchy()[2].certificate.tbs_certificate_bytes


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
            max_leaves=8,
        ),
        max_size=6,
    )
)
def test_the_canonical_form_is_sorted_compact_utf8_json(content: dict[str, object]) -> None:
    expected = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical_letter(content) == expected
