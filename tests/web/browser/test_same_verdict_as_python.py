"""Property: on generated tokens of every kind, the page's verdict is the Python verifier's.

Valid, tampered (one bit anywhere), expired, not yet valid (and both to the second), revoked, foreign-signed, signed for
another unit or kind, named with the wrong algorithm, truncated: each made in Python, judged by
:func:`localgov.tokens.verify`, then by the page's ``verifyToken`` in Chromium (WebCrypto), in one
page whose lists are loaded once.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.pki import Credential, kid_of
from localgov.tokens import PermitClaims, TokenError, cbor, cose, decode_text, encode_text, verify
from localgov.tokens.cwt import claims_to_map
from localgov.tokens.short_codes import KIND_CODES
from tests.web.browser.in_page import claims_as_page_shows, load_lists, verify_in_page
from tests.web.browser.world import REVOKED_NUMBER, World

# Each kind of token, with the verdict both must reach (None: whatever Python says, for a bit
# flipped anywhere or bytes cut anywhere), and how many examples of it to try.
VARIANTS = {
    "valid": ("valid", 4),
    "expired": ("expired", 3),
    "not_yet_valid": ("not_yet_valid", 3),
    "revoked": ("revoked", 3),
    "foreign": ("unknown_signer", 3),
    "other_unit": ("signer_not_allowed", 3),
    "unlisted_kind": ("signer_not_allowed", 3),
    "wrong_algorithm": ("bad_signature", 3),
    "at_expiry": (None, 6),
    "at_start": (None, 6),
    "tampered": (None, 12),
    "truncated": (None, 8),
}
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى "


def sign(claims: PermitClaims, signer: Credential, *, alg: int | None = None) -> bytes:
    """COSE_Sign1 of the claims, without the issuer's checks (so that refused tokens can be made).

    With ``alg``, the protected header names it while the key signs with the hash of that name:
    a P-256 key's genuine signature over SHA-384, which only the pairing rule refuses.
    """
    payload = cbor.encode(claims_to_map(claims))
    if alg is None:
        return cose.sign(payload, signer.private_key, kid=kid_of(signer.certificate))
    protected = cbor.encode({cose.HEADER_ALG: alg, cose.HEADER_KID: kid_of(signer.certificate)})
    assert isinstance(signer.private_key, ec.EllipticCurvePrivateKey)
    r, s = decode_dss_signature(
        signer.private_key.sign(cose.signed_bytes(protected, payload), ec.ECDSA(hashes.SHA384()))
    )
    return cbor.encode_tagged(cose.TAG_SIGN1, [protected, {}, payload, r.to_bytes(32, "big") + s.to_bytes(32, "big")])


@st.composite
def tokens(draw: st.DrawFn, world: World, variant: str) -> str:
    issued = world.now - timedelta(minutes=draw(st.integers(60, 20 * 24 * 60)))
    claims = attrs.evolve(
        world.claims(),
        issued_at=issued,
        expires_at=issued + timedelta(days=draw(st.integers(30, 4000))),
        permit_number=draw(st.from_regex(r"20[0-9]{2}/[0-9]{6}", fullmatch=True)),
        kind=draw(st.sampled_from(sorted(KIND_CODES))),
        holder_name=draw(st.text(ARABIC + "abcXYZ", min_size=1, max_size=40).filter(str.strip)),
        figures=draw(
            st.dictionaries(st.sampled_from(["floors", "units", "height_m"]), st.integers(0, 10**6), max_size=3)
        ),
    )
    signer = world.pki.signer
    alg = None
    if variant == "expired":
        claims = attrs.evolve(claims, expires_at=issued + timedelta(minutes=draw(st.integers(1, 50))))
    elif variant == "not_yet_valid":
        start = world.now + timedelta(minutes=draw(st.integers(6, 10**5)))
        claims = attrs.evolve(claims, valid_from=start, expires_at=start + timedelta(days=365))
    elif variant == "at_expiry":  # seconds either side of the moment of judgement
        claims = attrs.evolve(claims, expires_at=world.now + timedelta(seconds=draw(st.integers(-2, 2))))
    elif variant == "at_start":  # seconds either side of the clock leeway
        start = world.now + timedelta(minutes=5, seconds=draw(st.integers(-2, 2)))
        claims = attrs.evolve(claims, valid_from=start, expires_at=start + timedelta(days=365))
    elif variant == "revoked":
        claims = attrs.evolve(claims, permit_number=REVOKED_NUMBER)
    elif variant == "foreign":
        signer = world.foreign.signer
    elif variant == "other_unit":
        claims = attrs.evolve(claims, issuer="C-MAADI")
    elif variant == "unlisted_kind":
        claims = attrs.evolve(claims, kind="street_vending_permit")
    elif variant == "wrong_algorithm":
        alg = cose.ALG_ES384
    message = sign(claims, signer, alg=alg)
    if variant == "tampered":
        position = draw(st.integers(0, len(message) - 1))
        flipped = bytearray(message)
        flipped[position] ^= 1 << draw(st.integers(0, 7))
        message = bytes(flipped)
    elif variant == "truncated":
        message = message[: draw(st.integers(0, len(message) - 1))]
    return encode_text(message, compress=draw(st.booleans()))


def python_verdict(world: World, token: str) -> dict[str, Any]:
    try:
        claims = verify(token, world.trust, world.revocations, world.now).claims
    except TokenError as error:
        return {"code": error.code}
    return {"code": "valid", "claims": claims_as_page_shows(claims)}


@pytest.fixture(scope="module")
def verifier_page(browser: Any, base_url: str, world: World) -> Any:
    page = browser.new_page()
    page.goto(base_url + "/verify")
    page.wait_for_selector("body[data-lists]")
    load_lists(
        page,
        "world",
        world.root_path.read_bytes(),
        world.trust_list_path.read_bytes(),
        world.revocations_path.read_bytes(),
        world.now.timestamp(),
    )
    yield page
    page.close()


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_page_and_python_agree(verifier_page: Any, world: World, variant: str) -> None:
    outcome, examples = VARIANTS[variant]

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(tokens(world, variant))
    def agree(token: str) -> None:
        expected = python_verdict(world, token)
        if outcome is not None:  # the generator makes what it is meant to
            assert expected["code"] == outcome
        assert verify_in_page(verifier_page, "world", token, world.now.timestamp() * 1000) == expected

    agree()


def test_a_compressed_token_cut_short_is_malformed_encoding_in_both(verifier_page: Any, world: World) -> None:
    # The zlib stream without its checksum: inflating it never completes.
    cut = encode_text(zlib.compress(decode_text(world.valid), 9)[:-3], compress=False)
    assert python_verdict(world, cut)["code"] == "malformed_encoding"
    assert verify_in_page(verifier_page, "world", cut, world.now.timestamp() * 1000)["code"] == "malformed_encoding"
