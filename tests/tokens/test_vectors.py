"""Runs every published test vector in tests/vectors/ (see tests/vectors/generate.py)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from localgov.pki import load_certificate
from localgov.tokens import RevocationList, RevocationUpdate, TokenError, TrustList, verify
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
