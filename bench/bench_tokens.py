"""Benchmark of signed permit tokens.

Prints, for the reference building permit:
- full verification rate (prefix, Base45, CBOR, signature, claims, trust and revocation look-up)
  against the raw ES256 verify of the same signed bytes (DER signature prepared in advance),
  measured in interleaved batches in the same run, best batch of each, then what each phase
  costs on its own;
- its size and QR version at ECC level Q (target <= 14), with and without zlib;
- issue rate (sign and encode) against raw ES256 signing;
- QR rendering time (PNG, SVG; automatic and fixed mask) and zxing-cpp read time.

Run: ``.venv/bin/python bench/bench_tokens.py``
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from localgov.testing.pki import build_test_pki
from localgov.tokens import (
    RevocationList,
    TrustList,
    cbor,
    cose,
    issue,
    reference_building_permit,
    verify,
)
from localgov.tokens.base45 import b45decode
from localgov.tokens.claims import revocation_hash
from localgov.tokens.cwt import claims_from_map
from localgov.tokens.qr import qr_version, read_qr_texts, render_png, render_svg
from localgov.tokens.token import decode_text


def per_call(function: Callable[[], object], calls: int) -> float:
    """Seconds per call of ``function`` over one batch."""
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def interleaved(
    first: Callable[[], object], second: Callable[[], object], calls: int, rounds: int
) -> tuple[float, float]:
    """Best-batch seconds per call of two functions, batches alternating so load hits both."""
    a, b = [], []
    for _ in range(rounds):
        a.append(per_call(first, calls))
        b.append(per_call(second, calls))
    return min(a), min(b)


def print_phases(token: str, trust: TrustList, revocations: RevocationList) -> None:
    """What each phase of a verification costs alone (warm caches: in the loop they cost more)."""
    data = decode_text(token)
    parts = cose.parse_common_es256(data)
    assert parts is not None
    kid, _, signed, signature, payload = parts
    key = trust.candidates(kid)[0].public_key
    values = cbor.decode(payload)
    claims = claims_from_map(values)
    phases: dict[str, Callable[[], object]] = {
        "prefix and Base45": lambda: decode_text(token),
        "COSE_Sign1 (usual shape)": lambda: cose.parse_common_es256(data),
        "ES256 (r || s to DER too)": lambda: cose.verify_es256(signed, signature, key),
        "strict CBOR and claims": lambda: cbor.decode_and_read(payload, claims_from_map),
        "  of which the claims": lambda: claims_from_map(values),
        "revocation look-up": lambda: revocations.is_revoked(kid, revocation_hash(claims.issuer, claims.permit_number)),
    }
    print("phases alone, best batch:")
    for label, function in phases.items():
        seconds = min(per_call(function, 300) for _ in range(21))
        print(f"  {label:24s} {seconds * 1e6:8.1f} us")


def main() -> None:
    pki = build_test_pki(tempfile.mkdtemp(prefix="bench-tokens-"))
    now = datetime.now(UTC)
    claims = reference_building_permit(now - timedelta(days=1))
    trust = pki.trust_list()
    # A revocation list of realistic size: 10,000 revoked permits under this signer.
    revocations = RevocationList(1, {pki.signer.kid: [i.to_bytes(16, "big") for i in range(10_000)]})
    token = issue(claims, pki.signer)
    message = cose.parse_sign1(decode_text(token))
    signed = message.to_be_signed()
    signature = message.signature
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public_key = trust.candidates(message.kid or b"")[0].public_key
    es256 = ec.ECDSA(hashes.SHA256())
    assert verify(token, trust, revocations, now).claims == claims

    print("== Verification (reference building permit) ==")
    raw, full = interleaved(
        lambda: public_key.verify(der, signed, es256),
        lambda: verify(token, trust, revocations, now),
        # Many short batches: on a shared machine a quiet 40 ms window turns up for both
        # sides, where a quiet 0.3 s one (2,000 calls) often did not for the slower side.
        calls=300,
        rounds=41,
    )
    print(f"raw ES256 verify          {raw * 1e6:8.1f} us   {1 / raw:8.0f}/s")
    print(f"full token verification   {full * 1e6:8.1f} us   {1 / full:8.0f}/s")
    print(f"ratio full/raw rate       {raw / full:8.1%}   (target >= 80%)")
    print_phases(token, trust, revocations)

    print()
    print("== Size ==")
    for label, compress in (("plain", False), ("zlib", True)):
        text = issue(claims, pki.signer, compress=compress)
        body = b45decode(text[4:])
        print(
            f"{label:5s}: {len(decode_text(text))} COSE bytes, {len(body)} encoded bytes, "
            f"{len(text)} characters, QR version {qr_version(text, error='q')} at ECC Q "
            f"(M: {qr_version(text, error='m')})"
        )
    print(f"default (auto): {len(token)} characters, QR version {qr_version(token)} at Q (target <= 14)")

    print()
    print("== Issue ==")
    key = pki.signer.private_key
    raw_sign, full_issue = interleaved(
        lambda: key.sign(signed, es256), lambda: issue(claims, pki.signer), calls=500, rounds=5
    )
    print(f"raw ES256 sign            {raw_sign * 1e6:8.1f} us   {1 / raw_sign:8.0f}/s")
    print(f"issue (sign + encode)     {full_issue * 1e6:8.1f} us   {1 / full_issue:8.0f}/s")
    print(f"ratio issue/raw rate      {raw_sign / full_issue:8.1%}")

    print()
    print("== Images ==")
    timings = {
        "PNG, best mask (default)": lambda: render_png(token),
        "PNG, fixed mask 0": lambda: render_png(token, mask=0),
        "SVG, best mask": lambda: render_svg(token),
    }
    for label, function in timings.items():
        samples = [per_call(function, 5) for _ in range(5)]
        print(f"{label:26s} {min(samples) * 1e3:7.1f} ms  (median {statistics.median(samples) * 1e3:.1f})")
    png = render_png(token)
    assert read_qr_texts(png) == [token]
    samples = [per_call(lambda: read_qr_texts(png), 5) for _ in range(5)]
    print(f"{'zxing-cpp read of the PNG':26s} {min(samples) * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
