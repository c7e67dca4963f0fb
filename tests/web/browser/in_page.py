"""Running the page's own verifier from a test: its lists loaded once, then ``verifyToken`` per token."""

from __future__ import annotations

from typing import Any

from localgov.tokens import PermitClaims

# Loads the modules and the given lists into globalThis.lists[name], checking them as the page
# does (signatures against the root, at the given moment).
_LOAD = """async ([name, rootPem, trustHex, revocationsHex, atSeconds]) => {
    const [token, trustList, revocation, x509] = await Promise.all([
        import('/verify/static/token.js'), import('/verify/static/trust-list.js'),
        import('/verify/static/revocation.js'), import('/verify/static/x509.js'),
    ]);
    const bytes = (hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
    const root = await x509.parseCertificate(x509.pemToDer(rootPem));
    const trust = await trustList.openTrustList(bytes(trustHex), root, atSeconds);
    const revocations = revocationsHex ? await revocation.openRevocationList(bytes(revocationsHex), root, atSeconds) : null;
    globalThis.lists = {...globalThis.lists, [name]: {trust, revocations}};
    globalThis.verifyToken = token.verifyToken;
}"""

# {code: 'valid', claims} or {code: <error code>}; anything else thrown is a bug, reported as such.
_VERIFY = """async ([name, text, atMs, useRevocations]) => {
    const {trust, revocations} = globalThis.lists[name];
    try {
        const {claims} = await globalThis.verifyToken(text, trust, useRevocations ? revocations : null, atMs);
        return {code: 'valid', claims: {...claims, figures: claims.figures.map(([n, v]) => [n, String(v)])}};
    } catch (error) {
        return {code: error.code ?? `exception: ${error.stack}`};
    }
}"""


def load_lists(page: Any, name: str, root_pem: bytes, trust: bytes, revocations: bytes | None, at: float) -> None:
    page.evaluate(_LOAD, [name, root_pem.decode(), trust.hex(), revocations.hex() if revocations else "", at])


def verify_in_page(page: Any, name: str, token: str, at_ms: float, *, use_revocations: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(_VERIFY, [name, token, at_ms, use_revocations])
    return result


def claims_as_page_shows(claims: PermitClaims) -> dict[str, Any]:
    """What the page's ``readClaims`` returns for these claims (dates as NumericDates, figures as text)."""

    def seconds(value: Any) -> int | None:
        return None if value is None else int(value.timestamp())

    return {
        "issuer": claims.issuer,
        "permitNumber": claims.permit_number,
        "kind": claims.kind,
        "holderName": claims.holder_name,
        "issuedAt": seconds(claims.issued_at),
        "expiresAt": seconds(claims.expires_at),
        "validFrom": seconds(claims.valid_from),
        "parcel": claims.parcel,
        "address": claims.address,
        "figures": [[name, str(value)] for name, value in claims.figures],
    }
