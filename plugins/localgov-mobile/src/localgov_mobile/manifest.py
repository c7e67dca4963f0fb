"""A sync request's manifest: the device's one signature over the SHA-256 of every submission sent.

A COSE_Sign1 by the device's key (ES256, ``kid`` protected: the device certificate's key id)
over the CBOR map::

    1 "localgov-mobile-manifest"   2 format version (1)   3 device id
    4 the device's clock (NumericDate, the request's key 4)
    5 [SHA-256 of each signed submission of the request, in the request's order]

With it the server checks one signature a request instead of one a submission: a submission
whose bytes hash to its entry is the device's as surely as if its own signature had been
checked (docs/channels.md gives the argument). Each submission still carries its own signature,
kept with it; the manifest is kept beside (``mob_manifests``). A manifest that does not verify,
or does not list exactly the request's submissions, is set aside, and each submission's own
signature is checked, as for a request without one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec

from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError
from localgov_mobile.errors import WireError
from localgov_mobile.wire import decode_map, numeric_date

__all__ = ["MANIFEST_TYPE", "MAX_MANIFEST", "covers", "sign_manifest"]

MANIFEST_TYPE = "localgov-mobile-manifest"
FORMAT_VERSION = 1
MAX_MANIFEST = 32 * 1024  # 500 digests of 32 bytes and the rest


def _digests(envelopes: Sequence[bytes]) -> list[bytes]:
    return [hashlib.sha256(envelope).digest() for envelope in envelopes]


def sign_manifest(
    envelopes: Sequence[bytes], device_id: str, device_now: datetime, key: ec.EllipticCurvePrivateKey, kid: bytes
) -> bytes:
    """The manifest of a request's ``envelopes``, signed with the device's key."""
    payload = {1: MANIFEST_TYPE, 2: FORMAT_VERSION, 3: device_id, 4: numeric_date(device_now), 5: _digests(envelopes)}
    return cose.sign(cbor.encode(payload), key, kid=kid)


def covers(
    manifest: bytes,
    envelopes: Sequence[bytes],
    *,
    key: ec.EllipticCurvePublicKey,
    kid: bytes,
    device_id: str,
    device_now: datetime,
) -> bool:
    """Whether ``manifest`` is the device's signature over exactly these ``envelopes``.

    False, never an error, for anything else: the server then checks each envelope's own
    signature, so a manifest can only spare work, never let through what that check refuses.
    """
    try:
        message = cose.parse_sign1(manifest, max_depth=4)
        if message.alg != cose.ALG_ES256 or message.protected_kid != kid:
            return False
        cose.verify_signature(message, key)
        wire = decode_map(message.payload, MANIFEST_TYPE, max_depth=4)
    except (TokenError, WireError):
        return False
    value = wire.value
    return (
        value.get(2) == FORMAT_VERSION
        and value.get(3) == device_id
        and value.get(4) == numeric_date(device_now)
        and value.get(5) == _digests(envelopes)
    )
