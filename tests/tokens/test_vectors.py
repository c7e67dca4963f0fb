"""Runs every published test vector in tests/vectors/ (see tests/vectors/generate.py)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from localgov.pki import kid_of, load_certificate
from localgov.tokens import RevocationList, RevocationUpdate, TokenError, TrustList, cose, verify
from localgov.tokens.errors import TOKEN_ERRORS
from localgov.tokens.token import decode_text

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
FILES = sorted((VECTORS / "vectors").glob("*.json"))
ERROR_CODES = {error.code for error in TOKEN_ERRORS}


@pytest.fixture(scope="module")
def root():  # type: ignore[no-untyped-def]
    return load_certificate(VECTORS / "keys" / "root.pem")


def test_there_are_vectors_for_every_outcome() -> None:
    outcomes = {json.loads(f.read_text(encoding="utf-8"))["expected"] for f in FILES}
    assert outcomes == ERROR_CODES | {"valid"}


def test_the_specification_lists_every_vector_with_its_outcome() -> None:
    spec = (VECTORS.parents[1] / "docs" / "token-format.md").read_text(encoding="utf-8")
    table = spec.split("## 8. Test vectors", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\| `([a-z0-9-]+)` \| `?([a-z_]+)`? \|$", table, re.MULTILINE))
    published = {f.stem: json.loads(f.read_text(encoding="utf-8"))["expected"] for f in FILES}
    assert listed == published


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_vector(path: Path, root) -> None:  # type: ignore[no-untyped-def]
    vector = json.loads(path.read_text(encoding="utf-8"))
    at = datetime.fromisoformat(vector["verify_at"])
    trust = TrustList.load((VECTORS / "trust-list.cose").read_bytes(), root, at=at)
    revocations = None
    if vector["use_revocations"]:
        update = RevocationUpdate.load((VECTORS / "revocations.cose").read_bytes(), root, at=at)
        revocations = RevocationList.from_updates([update])
    if vector["cose_hex"] is not None:
        assert decode_text(vector["token"]).hex() == vector["cose_hex"]
    if vector["expected"] == "valid":
        claims = verify(vector["token"], trust, revocations, at).claims
        for name, expected in vector["claims"].items():
            actual = getattr(claims, name)
            if isinstance(actual, datetime):
                actual = actual.isoformat()
            elif isinstance(actual, tuple):
                actual = {k: str(v) if isinstance(v, Decimal) else v for k, v in actual}
            assert actual == expected, name
    else:
        with pytest.raises(TokenError) as raised:
            verify(vector["token"], trust, revocations, at)
        assert raised.value.code == vector["expected"]


def _message(name: str) -> bytes:
    vector = json.loads((VECTORS / "vectors" / f"{name}.json").read_text(encoding="utf-8"))
    return bytes.fromhex(vector["cose_hex"])


def _certificate(name: str):  # type: ignore[no-untyped-def]
    return load_certificate(VECTORS / "keys" / f"{name}.pem")


def test_the_key_id_vectors_test_the_rule_not_a_broken_signature() -> None:
    # Each of these is signed by C-ZTN's key with a good signature: had the verifier read the
    # unprotected kid, the outcome would be the opposite of the expected one.
    ztn, maadi, stranger = (_certificate(name) for name in ("signer-c-ztn", "signer-c-maadi", "stranger"))
    expected_kids = {
        "valid-kid-in-both-headers-protected-wins": (kid_of(ztn), kid_of(maadi)),
        "unknown-signer-kid-in-both-headers-protected-wins": (kid_of(stranger), kid_of(ztn)),
        "malformed-cbor-kid-unprotected-only": (None, kid_of(ztn)),
    }
    for name, (protected_kid, unprotected_kid) in expected_kids.items():
        message = _message(name)
        parsed = cose.parse_sign1(message)
        assert parsed.protected_kid == protected_kid, name
        assert parsed.unprotected == {cose.HEADER_KID: unprotected_kid}, name
        assert cose.verify(message, ztn) == parsed.payload, name


@pytest.mark.parametrize(
    ("name", "alg", "signer", "hash_algorithm"),
    [
        ("valid-es384", cose.ALG_ES384, "signer-c-ztn-p384", hashes.SHA384()),
        (
            "bad-signature-es384-key-named-es256",
            cose.ALG_ES256,
            "signer-c-ztn-p384",
            hashes.SHA256(),
        ),
        ("bad-signature-es256-key-named-es384", cose.ALG_ES384, "signer-c-ztn", hashes.SHA384()),
    ],
)
def test_the_es384_vectors_hold_genuine_signatures(
    name: str, alg: int, signer: str, hash_algorithm: hashes.HashAlgorithm
) -> None:
    # The two refused ones are signed by the named certificate's key over the hash their alg
    # names: only the pairing of algorithm and curve makes them bad.
    certificate = _certificate(signer)
    parsed = cose.parse_sign1(_message(name))
    assert parsed.protected == {cose.HEADER_ALG: alg, cose.HEADER_KID: kid_of(certificate)}
    half = len(parsed.signature) // 2
    r, s = (int.from_bytes(part, "big") for part in (parsed.signature[:half], parsed.signature[half:]))
    key = certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert half == (key.curve.key_size + 7) // 8
    key.verify(encode_dss_signature(r, s), parsed.to_be_signed(), ec.ECDSA(hash_algorithm))
