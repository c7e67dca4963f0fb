"""Statements a unit signs with its document-signing key, checked against the trust list.

A permit is one such statement; an audit checkpoint (the state of every request's history at a
moment) is another. Both are COSE_Sign1 under a unit certificate named by its protected key id,
so a ministry that can verify the unit's permits can verify its checkpoints with the same trust
list. The payload is a CBOR map whose key 1 names the statement's type, so that one kind can
never be passed off as another (a permit's key 1 is its issuer code, never a type name).
"""

from __future__ import annotations

from collections.abc import Mapping

from localgov.pki import Credential, kid_of
from localgov.tokens import cbor, cose
from localgov.tokens.errors import MalformedCbor, UnknownSigner
from localgov.tokens.token import _check_signature, _parse_any
from localgov.tokens.trust import TrustedSigner, TrustList

__all__ = ["STATEMENT_TYPE", "open_statement", "sign_statement"]

STATEMENT_TYPE = 1


def sign_statement(kind: str, payload: Mapping[int, object], signer: Credential) -> bytes:
    """A COSE_Sign1 by ``signer`` over ``payload`` with its type ``kind`` at key 1."""
    if STATEMENT_TYPE in payload:
        raise ValueError("key 1 of a unit statement is its type")
    body = cbor.encode({STATEMENT_TYPE: kind, **payload})
    return cose.sign(body, signer.private_key, kid=kid_of(signer.certificate))


def open_statement(
    data: bytes, kind: str, trust: TrustList
) -> tuple[TrustedSigner, Mapping[int | str | bytes, cbor.CborValue]]:
    """The signer on ``trust`` and the payload of a statement of type ``kind``; a TokenError otherwise."""
    kid, alg, signed, signature, payload = _parse_any(data)
    candidates = trust.candidates(kid)
    if not candidates:
        raise UnknownSigner(f"key id {kid.hex()} is not on trust list {trust.sequence}")
    signer = _check_signature(alg, signed, signature, candidates)
    try:
        decoded = cbor.decode(payload)
    except cbor.CborError as error:
        raise MalformedCbor(f"statement: {error}") from None
    if not isinstance(decoded, dict) or decoded.get(STATEMENT_TYPE) != kind:
        found = decoded.get(STATEMENT_TYPE) if isinstance(decoded, dict) else type(decoded).__name__
        raise MalformedCbor(f"not a {kind} (its type is {found!r})")
    return signer, decoded
