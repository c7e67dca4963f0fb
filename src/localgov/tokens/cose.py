"""COSE_Sign1 (RFC 9052) signing and verification, usable on its own for interoperability.

:func:`verify` checks any single-signer COSE message, not only localgov's: other countries' and
ministries' signed documents (the EU Digital COVID Certificate, for one) verify with it given the
signer's certificate or public key. It accepts the three forms found in the wild: tag 18, tag 61
(CWT) wrapping tag 18, and untagged; the key id may sit in the protected header (preferred) or the
unprotected one, and where it is in both the protected one counts (RFC 9052 §3); algorithms ES256
(-7, P-256), ES384 (-35, P-384), PS256 (-37) and EdDSA (-8, Ed25519 and Ed448). Each ECDSA
algorithm needs its own curve: a P-384 key is never checked with SHA-256, nor a P-256 key with
SHA-384.

Errors come from the token taxonomy: :class:`~localgov.tokens.errors.MalformedCbor` when the bytes
are not a COSE_Sign1 this module accepts, :class:`~localgov.tokens.errors.BadSignature` when the
signature does not verify, the algorithm is unknown, or it does not fit the key.

One module past 400 lines on purpose: parsing the message, the Sig_structure, and each
algorithm's key check must be read together to see that no parsed field reaches the signature
check unvalidated; split, that argument would span files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import attrs
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from localgov.tokens import cbor
from localgov.tokens.errors import BadSignature, MalformedCbor

__all__ = [
    "ALG_EDDSA",
    "ALG_ES256",
    "ALG_ES384",
    "ALG_PS256",
    "HEADER_ALG",
    "HEADER_KID",
    "PrivateKey",
    "PublicKey",
    "Sign1",
    "default_alg",
    "parse_sign1",
    "public_key_of",
    "sign",
    "sign_raw",
    "signed_bytes",
    "verify",
    "verify_es256",
    "verify_es384",
    "verify_signature",
]

ALG_ES256 = -7
ALG_ES384 = -35
ALG_EDDSA = -8
ALG_PS256 = -37
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
TAG_SIGN1 = 18
TAG_CWT = 61

PublicKey: TypeAlias = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
PrivateKey: TypeAlias = (
    ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey
)

_ES256_HASH = ec.ECDSA(hashes.SHA256())
_ES384_HASH = ec.ECDSA(hashes.SHA384())
# RFC 8230 §2: PS256 is RSASSA-PSS with SHA-256, MGF1 with SHA-256, a salt as long as the hash.
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
_SIGNATURE1_PREFIX = b"\x84\x6aSignature1"


@attrs.frozen
class Sign1:
    """A parsed (not yet verified) COSE_Sign1 message."""

    protected_bytes: bytes
    protected: dict[int | str | bytes, cbor.CborValue]
    unprotected: dict[int | str | bytes, cbor.CborValue]
    payload: bytes
    signature: bytes
    # The Sig_structure, when the parser could cut it out of the message bytes.
    _sig_structure: bytes = attrs.field(default=b"", eq=False, repr=False)

    @property
    def alg(self) -> cbor.CborValue:
        return self.protected.get(HEADER_ALG, self.unprotected.get(HEADER_ALG))

    @property
    def kid(self) -> bytes | None:
        """The key id, from the protected header if it is there (it is then signed).

        An unprotected key id is a hint anyone on the way can change: good for finding a key
        among those the caller already trusts, never for deciding which certificate signed.
        """
        kid = self.protected.get(HEADER_KID, self.unprotected.get(HEADER_KID))
        return kid if isinstance(kid, bytes) else None

    @property
    def protected_kid(self) -> bytes | None:
        """The key id only if the signature covers it (in the protected header)."""
        kid = self.protected.get(HEADER_KID)
        return kid if isinstance(kid, bytes) else None

    def to_be_signed(self, external_aad: bytes = b"") -> bytes:
        if self._sig_structure and not external_aad:
            return self._sig_structure
        return signed_bytes(self.protected_bytes, self.payload, external_aad)


def _bstr_header(length: int) -> bytes:
    if length < 24:
        return bytes((0x40 | length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    if length < 0x100000000:
        return b"\x5a" + length.to_bytes(4, "big")
    return b"\x5b" + length.to_bytes(8, "big")


def signed_bytes(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """The Sig_structure ``["Signature1", protected, external_aad, payload]`` (RFC 9052 §4.4)."""
    return b"".join(
        (
            _SIGNATURE1_PREFIX,
            _bstr_header(len(protected_bytes)),
            protected_bytes,
            _bstr_header(len(external_aad)),
            external_aad,
            _bstr_header(len(payload)),
            payload,
        )
    )


# The shape of every localgov token: tag 18, array of 4, protected header {1: -7, 4: 8-byte kid}
# (13 bytes), empty unprotected map, then payload and a 64-byte signature.
_COMMON_HEAD = b"\xd2\x84\x4d\xa2\x01\x26\x04\x48"
_COMMON_SIGNATURE_HEAD = b"\x58\x40"


def parse_common_es256(message: bytes) -> tuple[bytes, int, bytes, bytes, bytes] | None:
    """``(kid, alg, Sig_structure, signature, payload)`` of a message in localgov's usual shape.

    Byte-exact recognition of tag 18, ``{1: -7, 4: kid}`` protected, ``{}`` unprotected, every
    length in its shortest form: the general decoder would read such a message to the same
    values. Anything else (or anything odd) returns None, for :func:`parse_sign1` to decide.
    Verification calls this directly: a plain tuple costs a fraction of a :class:`Sign1`.
    """
    if not message.startswith(_COMMON_HEAD) or len(message) < 84 or message[16] != 0xA0:
        return None
    # The payload's length, in its shortest form only (a longer one takes the general path).
    initial = message[17]
    if initial == 0x58:  # a token's claims: 24 to 255 bytes
        start, length = 19, message[18]
        if length < 24:
            return None
    elif 0x40 <= initial <= 0x57:
        start, length = 18, initial - 0x40
    elif initial == 0x59:
        start, length = 20, int.from_bytes(message[18:20], "big")
        if length < 0x100:
            return None
    else:
        return None
    end = start + length
    if len(message) != end + 66 or message[end : end + 2] != _COMMON_SIGNATURE_HEAD:
        return None
    # With both byte strings' headers in their shortest form, the Sig_structure is the message's
    # own bytes: protected header with its length byte, empty external_aad, payload with header.
    return (
        message[8:16],
        ALG_ES256,
        b"".join((_SIGNATURE1_PREFIX, message[2:16], b"\x40", message[17:end])),
        message[end + 2 :],
        message[start:end],
    )


def _parse_common_shape(message: bytes) -> Sign1 | None:
    parts = parse_common_es256(message)
    if parts is None:
        return None
    kid, alg, sig_structure, signature, payload = parts
    protected: dict[int | str | bytes, cbor.CborValue] = {HEADER_ALG: alg, HEADER_KID: kid}
    return Sign1(message[3:16], protected, {}, payload, signature, sig_structure)


def parse_sign1(message: bytes, *, max_depth: int = cbor.DEFAULT_MAX_DEPTH) -> Sign1:
    """Parse a COSE_Sign1 (tag 18, tag 61 wrapping 18, or untagged); raise MalformedCbor."""
    common = _parse_common_shape(message)
    if common is not None:
        return common
    try:
        item = cbor.decode(message, max_depth=max_depth)
    except cbor.CborError as error:
        raise MalformedCbor(str(error)) from None
    if isinstance(item, cbor.Tagged) and item.tag == TAG_CWT:
        item = item.value
        if not isinstance(item, cbor.Tagged):
            raise MalformedCbor("tag 61 (CWT) must wrap a tag 18 COSE_Sign1")
    if isinstance(item, cbor.Tagged):
        if item.tag != TAG_SIGN1:
            raise MalformedCbor(f"tag {item.tag} is not COSE_Sign1 (18)")
        item = item.value
    if not isinstance(item, list) or len(item) != 4:
        raise MalformedCbor("COSE_Sign1 must be an array of 4 items")
    protected_bytes, unprotected, payload, signature = item
    if not isinstance(protected_bytes, bytes):
        raise MalformedCbor("protected header must be a byte string")
    if not isinstance(unprotected, dict):
        raise MalformedCbor("unprotected header must be a map")
    if payload is None:
        raise MalformedCbor("detached payloads are not supported")
    if not isinstance(payload, bytes):
        raise MalformedCbor("payload must be a byte string")
    if not isinstance(signature, bytes):
        raise MalformedCbor("signature must be a byte string")
    protected: dict[int | str | bytes, cbor.CborValue] = {}
    if protected_bytes:
        try:
            decoded = cbor.decode(protected_bytes, max_depth=max_depth)
        except cbor.CborError as error:
            raise MalformedCbor(f"protected header: {error}") from None
        if not isinstance(decoded, dict):
            raise MalformedCbor("protected header must encode a map")
        protected = decoded
    # RFC 9052 §3: a label in both headers SHOULD be refused; where it is not, the protected
    # value counts. Refused for every label but the key id, a lookup hint only: with the
    # protected one counting (Sign1.kid), the unprotected copy selects nothing and is ignored.
    both = (protected.keys() & unprotected.keys()) - {HEADER_KID}
    if both:
        raise MalformedCbor(f"header labels {sorted(map(repr, both))} are both protected and not")
    if HEADER_CRIT in protected or HEADER_CRIT in unprotected:
        raise MalformedCbor("critical header parameters (label 2) are not supported")
    return Sign1(protected_bytes, protected, unprotected, payload, signature)


def public_key_of(key: x509.Certificate | PublicKey) -> PublicKey:
    """The public key of a certificate, or the key itself."""
    if isinstance(key, x509.Certificate):
        public_key = key.public_key()
        if not isinstance(
            public_key,
            (
                ec.EllipticCurvePublicKey,
                rsa.RSAPublicKey,
                ed25519.Ed25519PublicKey,
                ed448.Ed448PublicKey,
            ),
        ):
            raise BadSignature(f"certificate key type {type(public_key).__name__} is not supported")
        return public_key
    return key


def verify_signature(message: Sign1, key: PublicKey, external_aad: bytes = b"") -> None:
    """Raise BadSignature unless ``message`` is signed by ``key`` with its header's algorithm."""
    alg = message.alg
    data = message.to_be_signed(external_aad)
    signature = message.signature
    try:
        if alg == ALG_ES256:
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
                raise BadSignature("ES256 needs a P-256 key")
            verify_es256(data, signature, key)
            return
        if alg == ALG_ES384:
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp384r1":
                raise BadSignature("ES384 needs a P-384 key")
            verify_es384(data, signature, key)
            return
        if alg == ALG_EDDSA:
            if not isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
                raise BadSignature("EdDSA needs an Ed25519 or Ed448 key")
            key.verify(signature, data)
        elif alg == ALG_PS256:
            if not isinstance(key, rsa.RSAPublicKey):
                raise BadSignature("PS256 needs an RSA key")
            key.verify(signature, data, _PSS, hashes.SHA256())
        else:
            raise BadSignature(f"algorithm {alg!r} is not supported (ES256, ES384, PS256, EdDSA are)")
    except InvalidSignature:
        raise BadSignature("the signature does not match the signed content") from None


def verify_es256(data: bytes, signature: bytes, key: ec.EllipticCurvePublicKey) -> None:
    """Raise BadSignature unless ``signature`` (COSE's 64-byte ``r || s``) signs ``data``.

    ``key`` must be a P-256 key; this is not checked here, for callers that checked it once
    (a trust list does when it loads) rather than at every verification.
    """
    if len(signature) != 64:
        raise BadSignature(f"ES256 signature is {len(signature)} bytes, expected 64")
    try:
        key.verify(_der_signature(signature), data, _ES256_HASH)
    except InvalidSignature:
        raise BadSignature("the signature does not match the signed content") from None


def verify_es384(data: bytes, signature: bytes, key: ec.EllipticCurvePublicKey) -> None:
    """Raise BadSignature unless ``signature`` (COSE's 96-byte ``r || s``) signs ``data``.

    ``key`` must be a P-384 key, checked by the caller as for :func:`verify_es256`.
    """
    if len(signature) != 96:
        raise BadSignature(f"ES384 signature is {len(signature)} bytes, expected 96")
    # No byte-level shortcut as for ES256: a P-384 check costs several times a P-256 one, and
    # the general DER conversion is lost in it.
    der = _der_sequence(_der_integer(signature[:48]), _der_integer(signature[48:]))
    try:
        key.verify(der, data, _ES384_HASH)
    except InvalidSignature:
        raise BadSignature("the signature does not match the signed content") from None


def _der_signature(signature: bytes) -> bytes:
    # The DER ECDSA-Sig-Value cryptography verifies, from COSE's r || s, built with byte
    # operations: right after a signature check the asn1 routines are out of the CPU caches,
    # and encode_dss_signature then cost 2.8 µs against well under 1 µs for these lines.
    # Each INTEGER is unsigned big-endian without leading zero bytes, with one zero byte in
    # front of a set high bit (which would make it negative). In the usual case neither r nor
    # s starts with a zero byte (255 times in 256 each) and the headers come from tables.
    r = signature[:32]
    s = signature[32:]
    if r[0] and s[0]:
        r_high = r[0] >> 7
        s_high = s[0] >> 7
        head = _DER_SEQUENCE_HEAD[r_high + s_high]
        return b"".join((head, _DER_INTEGER_HEAD[r_high], r, _DER_INTEGER_HEAD[s_high], s))
    return _der_sequence(_der_integer(r), _der_integer(s))


# Indexed by the number of 33-byte integers (a zero byte in front of a set high bit).
_DER_SEQUENCE_HEAD = (b"\x30\x44", b"\x30\x45", b"\x30\x46")
# Indexed by the integer's high bit: 32 bytes as they are, or 33 with a zero byte in front.
_DER_INTEGER_HEAD = (b"\x02\x20", b"\x02\x21\x00")


def _der_integer(value: bytes) -> bytes:
    # Any unsigned big-endian value: leading zeros dropped, zero itself is one zero byte.
    value = value.lstrip(b"\x00")
    if not value or value[0] & 0x80:
        value = b"\x00" + value
    return bytes((2, len(value))) + value


def _der_sequence(r: bytes, s: bytes) -> bytes:
    # At most 102 bytes in all (two 49-byte P-384 integers with headers): the short length form.
    return bytes((0x30, len(r) + len(s))) + r + s


def verify(message: bytes, key: x509.Certificate | PublicKey) -> bytes:
    """Verify a COSE_Sign1 ``message`` with ``key`` and return its payload bytes."""
    parsed = parse_sign1(message)
    verify_signature(parsed, public_key_of(key))
    return parsed.payload


def default_alg(key: PrivateKey) -> int:
    """The COSE algorithm :func:`sign` uses for ``key``.

    Raise ValueError for an ECDSA curve other than P-256 (ES256) and P-384 (ES384).
    """
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _ecdsa_of(key)[0]
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return ALG_EDDSA
    return ALG_PS256


def sign_raw(data: bytes, key: PrivateKey) -> bytes:
    """The COSE signature of ``data`` (the Sig_structure bytes) with ``key``'s default algorithm."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name == "secp256r1":  # ES256 as it always was, not a step longer
            r, s = decode_dss_signature(key.sign(data, _ES256_HASH))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        _, algorithm, size = _ecdsa_of(key)
        r, s = decode_dss_signature(key.sign(data, algorithm))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return key.sign(data)
    return key.sign(data, _PSS, hashes.SHA256())


def _ecdsa_of(key: ec.EllipticCurvePrivateKey) -> tuple[int, ec.ECDSA, int]:
    # (COSE alg, signature algorithm, bytes of r and of s) for the curve: RFC 9053 §2.1 has
    # each hash used with one curve only, and the r || s halves are as long as its order.
    curve = key.curve.name
    if curve == "secp256r1":
        return ALG_ES256, _ES256_HASH, 32
    if curve == "secp384r1":
        return ALG_ES384, _ES384_HASH, 48
    raise ValueError(f"ECDSA signing needs a P-256 (ES256) or P-384 (ES384) key, not {curve}")


def sign(
    payload: bytes,
    key: PrivateKey,
    *,
    kid: bytes | None = None,
    tagged: bool = True,
    protected: Mapping[int, object] | None = None,
) -> bytes:
    """A COSE_Sign1 over ``payload``; alg (and kid, if given) go in the protected header, with
    any further ``protected`` headers (an ``x5chain``, say).

    The algorithm follows the key: ES256 for P-256, ES384 for P-384, EdDSA for Ed25519/Ed448,
    PS256 for RSA.
    """
    header: dict[int, object] = {HEADER_ALG: default_alg(key)}
    if kid is not None:
        header[HEADER_KID] = kid
    header.update(protected or {})
    protected_bytes = cbor.encode(header)
    signature = sign_raw(signed_bytes(protected_bytes, payload), key)
    body = [protected_bytes, {}, payload, signature]
    return cbor.encode_tagged(TAG_SIGN1, body) if tagged else cbor.encode(body)
