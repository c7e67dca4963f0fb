"""Generate localgov token test vectors: ``python tests/vectors/generate.py``.

Writes, next to this script:

- ``keys/``: a fixed test hierarchy (created on the first run, then reused): root, trust-list
  signer, governorate CA, the unit signer ``C-ZTN`` (all kinds), a second ``C-ZTN`` certificate
  on a P-384 key (``signer-c-ztn-p384``, ES384 tokens), ``C-MAADI`` (shop licences only) and a
  ``stranger`` signer that is not on the trust list. Private keys are unencrypted PEM: TEST KEYS
  ONLY, published on purpose.
- ``trust-list.cose``: the signed trust list (both ``C-ZTN`` certificates and ``C-MAADI``).
- ``revocations.cose``: a signed revocation list revoking permit ``C-ZTN/2025/000999``.
- ``vectors/*.json``: one file per vector (see ``docs/token-format.md``)::

      {"name", "description", "token", "verify_at", "use_revocations", "expected",
       "cose_hex", "claims"}

  ``expected`` is ``"valid"`` or an error code (``bad_signature``, ``expired``, ...);
  ``claims`` (valid vectors only) is what a verifier must read.

ECDSA signatures are randomised, so regenerating changes the token bytes but never the outcomes.
"""

from __future__ import annotations

import json
import sys
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from localgov.pki import (
    Credential,
    create_root,
    issue_governorate_ca,
    issue_trust_list_signer,
    issue_unit_signer,
    load_certificate,
    load_private_key,
    save_certificate,
    save_private_key,
)
from localgov.tokens import (
    PermitClaims,
    RevocationUpdate,
    TokenError,
    TrustList,
    cbor,
    cose,
    issue,
    reference_building_permit,
)
from localgov.tokens.base45 import b45encode
from localgov.tokens.claims import revocation_hash
from localgov.tokens.cwt import claims_to_map
from localgov.tokens.short_codes import KIND_CODES
from localgov.tokens.token import decode_text, encode_text

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"
VECTORS = HERE / "vectors"
START = datetime(2025, 1, 1, tzinfo=UTC)
ISSUED = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
CHECK_AT = datetime(2025, 6, 1, tzinfo=UTC)


def _credential(name: str, make: object) -> Credential:
    cert_file, key_file = KEYS / f"{name}.pem", KEYS / f"{name}.key"
    if cert_file.exists() and key_file.exists():
        return Credential(load_certificate(cert_file), load_private_key(key_file, None))
    credential = make()  # type: ignore[operator]
    assert isinstance(credential, Credential)
    save_certificate(cert_file, credential.certificate)
    save_private_key(key_file, credential.private_key, None)
    return credential


def hierarchy() -> dict[str, Credential]:
    KEYS.mkdir(exist_ok=True)
    root = _credential("root", lambda: create_root("localgov TEST VECTORS Root CA", now=START))
    ca = _credential(
        "governorate-ca",
        lambda: issue_governorate_ca(root, "C", "localgov TEST VECTORS Cairo CA", now=START),
    )
    five_years = timedelta(days=5 * 365)
    return {
        "root": root,
        "trust-list-signer": _credential(
            "trust-list-signer",
            lambda: issue_trust_list_signer(
                root, "localgov TEST VECTORS Trust List Signer", validity=five_years, now=START
            ),
        ),
        "governorate-ca": ca,
        "signer-c-ztn": _credential(
            "signer-c-ztn",
            lambda: issue_unit_signer(
                ca, "C-ZTN", [*KIND_CODES, "street_vending_permit"], validity=five_years, now=START
            ),
        ),
        "signer-c-maadi": _credential(
            "signer-c-maadi",
            lambda: issue_unit_signer(ca, "C-MAADI", ["shop_licence"], validity=five_years, now=START),
        ),
        "signer-c-ztn-p384": _credential(
            "signer-c-ztn-p384",
            lambda: issue_unit_signer(
                ca,
                "C-ZTN",
                [*KIND_CODES, "street_vending_permit"],
                validity=five_years,
                key=ec.generate_private_key(ec.SECP384R1()),
                now=START,
            ),
        ),
        "stranger": _credential(
            "stranger",
            lambda: issue_unit_signer(
                ca, "C-ZTN", [*KIND_CODES, "street_vending_permit"], validity=five_years, now=START
            ),
        ),
    }


def _claims_json(claims: PermitClaims) -> dict[str, object]:
    def plain(value: object) -> object:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple):
            return {name: plain(v) for name, v in value}
        return value

    return {field.name: plain(getattr(claims, field.name)) for field in attrs.fields(PermitClaims)}


def _signed(claims_map: object, signer: Credential, *, compress: bool = False) -> str:
    message = cose.sign(cbor.encode(claims_map), signer.private_key, kid=signer.kid)
    return encode_text(message, compress=compress)


def _sign1(
    payload: bytes,
    key: ec.EllipticCurvePrivateKey,
    protected: dict[int, object],
    unprotected: dict[int, object],
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> bytes:
    """A COSE_Sign1 with exactly these headers, signed by ``key``.

    ``hash_algorithm`` signs with a hash other than the one the key's algorithm takes, for the
    vectors a verifier must refuse for that.
    """
    protected_bytes = cbor.encode(protected)
    to_sign = cose.signed_bytes(protected_bytes, payload)
    if hash_algorithm is None:
        signature = cose.sign_raw(to_sign, key)
    else:
        size = (key.curve.key_size + 7) // 8
        r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hash_algorithm)))
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return cbor.encode_tagged(cose.TAG_SIGN1, [protected_bytes, unprotected, payload, signature])


def vectors(keys: dict[str, Credential]) -> list[dict[str, object]]:
    ztn, maadi, stranger = keys["signer-c-ztn"], keys["signer-c-maadi"], keys["stranger"]
    ztn384 = keys["signer-c-ztn-p384"]
    reference = reference_building_permit(ISSUED)
    shop = PermitClaims(
        issuer="C-MAADI",
        permit_number="SL-2025-0042",
        kind="shop_licence",
        holder_name="زينب علي حسن",
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(days=365),
        address="٣ شارع ٩، المعادي",
        figures={"activity": "بقالة", "shop_area_m2": "24.5"},
    )
    custom = PermitClaims(
        issuer="C-ZTN",
        permit_number="X-7",
        kind="street_vending_permit",
        holder_name="Peyman پیمان",
        issued_at=ISSUED,
        figures={"carts": 1, "zone": "A3"},
    )
    revoked = attrs.evolve(reference, permit_number="2025/000999")
    reference_token = issue(reference, ztn, compress=False)
    message = decode_text(reference_token)
    flipped = bytearray(message)
    flipped[40] ^= 0x01  # a bit inside the signed payload
    duplicate_payload = b"\xa2\x01\x65C-ZTN\x01\x67C-MAADI"
    es384_token = issue(reference, ztn384, compress=False)
    es384_flipped = bytearray(decode_text(es384_token))
    es384_flipped[40] ^= 0x01
    reference_payload = cbor.encode(claims_to_map(reference))
    alg, kid = cose.HEADER_ALG, cose.HEADER_KID
    out: list[dict[str, object]] = [
        {
            "name": "valid-reference-building-permit",
            "description": "The reference building permit, not compressed.",
            "token": reference_token,
            "expected": "valid",
            "claims": _claims_json(reference),
        },
        {
            "name": "valid-compressed",
            "description": "The reference permit, zlib-compressed before Base45.",
            "token": issue(reference, ztn, compress=True),
            "expected": "valid",
            "claims": _claims_json(reference),
        },
        {
            "name": "valid-shop-licence-other-unit",
            "description": "Another unit's signer, text and decimal figures.",
            "token": issue(shop, maadi),
            "expected": "valid",
            "claims": _claims_json(shop),
        },
        {
            "name": "valid-custom-kind-utf8-text",
            "description": "Unregistered kind and figures as text; a name outside ISO 8859-6 travels as UTF-8.",
            "token": issue(custom, ztn),
            "expected": "valid",
            "claims": _claims_json(custom),
        },
        {
            "name": "valid-es384",
            "description": "The reference permit signed ES384 (-35) by C-ZTN's P-384 certificate.",
            "token": es384_token,
            "expected": "valid",
            "claims": _claims_json(reference),
        },
        {
            "name": "valid-kid-in-both-headers-protected-wins",
            "description": "Signed by C-ZTN, kid in the protected header; the unprotected header "
            "names C-MAADI's kid, which must be ignored.",
            "token": encode_text(
                _sign1(
                    reference_payload,
                    ztn.private_key,
                    {alg: cose.ALG_ES256, kid: ztn.kid},
                    {kid: maadi.kid},
                ),
                compress=False,
            ),
            "expected": "valid",
            "claims": _claims_json(reference),
        },
        {
            "name": "not-localgov-dcc-prefix",
            "description": "An EU DCC prefix.",
            "token": "HC1:6BFOXN%TS3DH0YOJ58S",
            "expected": "not_localgov_token",
        },
        {
            "name": "unsupported-version",
            "description": "Version 2 of the prefix.",
            "token": "LG2:" + reference_token[4:],
            "expected": "unsupported_version",
        },
        {
            "name": "malformed-encoding-lowercase",
            "description": "Lower-case letters are not Base45.",
            "token": reference_token.lower().replace("lg1:", "LG1:"),
            "expected": "malformed_encoding",
        },
        {
            "name": "malformed-encoding-dangling-character",
            "description": "A Base45 text of length 3n+1.",
            "token": reference_token + "AA",
            "expected": "malformed_encoding",
        },
        {
            "name": "malformed-encoding-zlib-bomb",
            "description": "zlib data inflating beyond 8192 bytes.",
            "token": "LG1:" + b45encode(zlib.compress(b"\x00" * 100_000, 9)),
            "expected": "malformed_encoding",
        },
        {
            "name": "malformed-cbor-truncated",
            "description": "The COSE message without its last 10 bytes.",
            "token": encode_text(message[:-10], compress=False),
            "expected": "malformed_cbor",
        },
        {
            "name": "malformed-cbor-duplicate-keys",
            "description": "Signed claims map {1: 'C-ZTN', 1: 'C-MAADI'}.",
            "token": encode_text(cose.sign(duplicate_payload, ztn.private_key, kid=ztn.kid), compress=False),
            "expected": "malformed_cbor",
        },
        {
            "name": "malformed-cbor-claims-schema",
            "description": "Signed claims without the permit claim -65537.",
            "token": _signed({1: "C-ZTN", 6: int(ISSUED.timestamp())}, ztn),
            "expected": "malformed_cbor",
        },
        {
            "name": "unknown-signer",
            "description": "Signed by a certificate that is not on the trust list.",
            "token": issue(reference, stranger),
            "expected": "unknown_signer",
        },
        {
            "name": "malformed-cbor-kid-unprotected-only",
            "description": "Signed by C-ZTN (the signature is good), but its kid is only in the "
            "unprotected header, which the signature does not cover.",
            "token": encode_text(
                _sign1(reference_payload, ztn.private_key, {alg: cose.ALG_ES256}, {kid: ztn.kid}),
                compress=False,
            ),
            "expected": "malformed_cbor",
        },
        {
            "name": "unknown-signer-kid-in-both-headers-protected-wins",
            "description": "Signed with C-ZTN's key under the protected kid of a certificate not "
            "on the trust list; the unprotected header names C-ZTN's kid, which must be ignored.",
            "token": encode_text(
                _sign1(
                    reference_payload,
                    ztn.private_key,
                    {alg: cose.ALG_ES256, kid: stranger.kid},
                    {kid: ztn.kid},
                ),
                compress=False,
            ),
            "expected": "unknown_signer",
        },
        {
            "name": "bad-signature-flipped-bit",
            "description": "One bit of the payload flipped after signing.",
            "token": encode_text(bytes(flipped), compress=False),
            "expected": "bad_signature",
        },
        {
            "name": "bad-signature-es384-flipped-bit",
            "description": "The ES384 reference permit with one bit of the payload flipped.",
            "token": encode_text(bytes(es384_flipped), compress=False),
            "expected": "bad_signature",
        },
        {
            "name": "bad-signature-es384-key-named-es256",
            "description": "alg ES256 (-7) with C-ZTN's P-384 kid, signed by that key over "
            "SHA-256: a P-384 key is for ES384 only.",
            "token": encode_text(
                _sign1(
                    reference_payload,
                    ztn384.private_key,
                    {alg: cose.ALG_ES256, kid: ztn384.kid},
                    {},
                    hashes.SHA256(),
                ),
                compress=False,
            ),
            "expected": "bad_signature",
        },
        {
            "name": "bad-signature-es256-key-named-es384",
            "description": "alg ES384 (-35) with C-ZTN's P-256 kid, signed by that key over "
            "SHA-384: a P-256 key is for ES256 only.",
            "token": encode_text(
                _sign1(
                    reference_payload,
                    ztn.private_key,
                    {alg: cose.ALG_ES384, kid: ztn.kid},
                    {},
                    hashes.SHA384(),
                ),
                compress=False,
            ),
            "expected": "bad_signature",
        },
        {
            "name": "signer-not-allowed-kind",
            "description": "A shop-licence-only signer signing a building permit.",
            "token": _signed(claims_to_map(attrs.evolve(reference, issuer="C-MAADI")), maadi),
            "expected": "signer_not_allowed",
        },
        {
            "name": "signer-not-allowed-other-unit",
            "description": "Unit C-ZTN signing a permit issued by C-MAADI.",
            "token": _signed(claims_to_map(attrs.evolve(shop, kind="building_permit")), ztn),
            "expected": "signer_not_allowed",
        },
        {
            "name": "not-yet-valid",
            "description": "Valid from 2025-09-01; checked on 2025-06-01.",
            "token": issue(attrs.evolve(reference, valid_from=datetime(2025, 9, 1, tzinfo=UTC)), ztn),
            "expected": "not_yet_valid",
        },
        {
            "name": "expired",
            "description": "The reference permit checked after its expiry.",
            "token": reference_token,
            "verify_at": (reference.expires_at or ISSUED).isoformat(),
            "expected": "expired",
        },
        {
            "name": "revoked",
            "description": "Permit C-ZTN/2025/000999, on revocations.cose.",
            "token": issue(revoked, ztn),
            "use_revocations": True,
            "expected": "revoked",
        },
        {
            "name": "valid-when-revocations-are-checked",
            "description": "The reference permit is not on revocations.cose.",
            "token": reference_token,
            "use_revocations": True,
            "expected": "valid",
            "claims": _claims_json(reference),
        },
    ]
    for vector in out:
        vector.setdefault("verify_at", CHECK_AT.isoformat())
        vector.setdefault("use_revocations", False)
        token = vector["token"]
        try:
            vector["cose_hex"] = decode_text(token).hex()
        except TokenError:  # vectors whose text does not decode have no COSE bytes
            vector["cose_hex"] = None
    return out


def main() -> int:
    keys = hierarchy()
    root = keys["root"].certificate
    trust = TrustList.build(
        [
            keys["signer-c-ztn"].certificate,
            keys["signer-c-ztn-p384"].certificate,
            keys["signer-c-maadi"].certificate,
        ],
        sequence=1,
        issued_at=START,
        root=root,
        intermediates=[keys["governorate-ca"].certificate],
    )
    (HERE / "trust-list.cose").write_bytes(trust.sign(keys["trust-list-signer"], root))
    ztn_kid = keys["signer-c-ztn"].kid
    revocations = RevocationUpdate(1, {ztn_kid: [revocation_hash("C-ZTN", "2025/000999")]}, issued_at=START)
    (HERE / "revocations.cose").write_bytes(revocations.sign(keys["trust-list-signer"], root))
    VECTORS.mkdir(exist_ok=True)
    for old in VECTORS.glob("*.json"):
        old.unlink()
    for vector in vectors(keys):
        path = VECTORS / f"{vector['name']}.json"
        path.write_text(json.dumps(vector, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(list(VECTORS.glob('*.json')))} vectors to {VECTORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
