"""Signed QR codes: permit tokens anyone can verify offline, and receipt links.

Issue a token with :func:`issue`, verify one with :func:`verify` against a :class:`TrustList`
(and optionally a :class:`RevocationList`). :mod:`localgov.tokens.cose` verifies any COSE_Sign1
message; :mod:`localgov.tokens.qr` draws and reads QR images; :mod:`localgov.tokens.receipt` makes
the receipt link. The format is specified in ``docs/token-format.md``.
"""

from localgov.tokens.claims import FigureValue, PermitClaims, revocation_hash
from localgov.tokens.display import format_permit, permit_fields
from localgov.tokens.errors import (
    TOKEN_ERRORS,
    BadSignature,
    Expired,
    MalformedCbor,
    MalformedEncoding,
    NotALocalgovToken,
    NotYetValid,
    Revoked,
    SignerNotAllowed,
    TokenError,
    UnknownSigner,
    UnsupportedVersion,
)
from localgov.tokens.examples import reference_building_permit
from localgov.tokens.revocation import RevocationList, RevocationUpdate
from localgov.tokens.signed_file import SignedFileError
from localgov.tokens.token import (
    PREFIX,
    IssueError,
    VerifiedPermit,
    decode_text,
    encode_text,
    issue,
    read_claims,
    verify,
)
from localgov.tokens.trust import TrustedSigner, TrustList

__all__ = [
    "PREFIX",
    "TOKEN_ERRORS",
    "BadSignature",
    "Expired",
    "FigureValue",
    "IssueError",
    "MalformedCbor",
    "MalformedEncoding",
    "NotALocalgovToken",
    "NotYetValid",
    "PermitClaims",
    "RevocationList",
    "RevocationUpdate",
    "Revoked",
    "SignedFileError",
    "SignerNotAllowed",
    "TokenError",
    "TrustList",
    "TrustedSigner",
    "UnknownSigner",
    "UnsupportedVersion",
    "VerifiedPermit",
    "decode_text",
    "encode_text",
    "format_permit",
    "issue",
    "permit_fields",
    "read_claims",
    "reference_building_permit",
    "revocation_hash",
    "verify",
]
