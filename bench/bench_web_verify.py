"""The verification page's verifier in Chromium, beside the raw WebCrypto ES256 check in the same page.

A token verified by the page's scripts (``verifyToken``: Base45, CBOR, COSE, the trust list
look-up, WebCrypto's ECDSA check, the claims, the certificate's limits, the dates, the revocation
hash and look-up) against ``crypto.subtle.verify`` alone on the same Sig_structure and signature,
with the key already imported, interleaved in rounds in the same page. Needs /usr/bin/chromium
(``python scripts/ensure-chromium``).

    python bench/bench_web_verify.py            # 1,000 tokens a round, 15 rounds
    python bench/bench_web_verify.py --quick    # 200 tokens a round, 5 rounds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
from cryptography.hazmat.primitives import serialization

from localgov import Localgov
from localgov.pki import kid_of
from localgov.testing.pki import build_test_pki
from localgov.testing.web import serve
from localgov.tokens import RevocationUpdate, TrustList, cose, decode_text, issue, reference_building_permit
from localgov.web import WebSettings, create_app

CHROMIUM = "/usr/bin/chromium"

# In the page: lists loaded once, then rounds alternating the two loops over the same tokens.
_BENCH = """async ([rootPem, trustHex, revocationsHex, tokens, signed, rounds]) => {
    const [token, trustList, revocation, x509] = await Promise.all([
        import('/verify/static/token.js'), import('/verify/static/trust-list.js'),
        import('/verify/static/revocation.js'), import('/verify/static/x509.js'),
    ]);
    const bytes = (hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
    const root = await x509.parseCertificate(x509.pemToDer(rootPem));
    const now = Date.now() / 1000;
    const trust = await trustList.openTrustList(bytes(trustHex), root, now);
    const revocations = await revocation.openRevocationList(bytes(revocationsHex), root, now);
    const key = trust.signers[0].publicKey;
    const raw = signed.map(([data, signature]) => [bytes(data), bytes(signature)]);
    const full = [], bare = [];
    for (let round = 0; round < rounds; round++) {
        let start = performance.now();
        for (const text of tokens) await token.verifyToken(text, trust, revocations);
        full.push((performance.now() - start) / tokens.length);
        start = performance.now();
        for (const [data, signature] of raw) {
            if (!(await crypto.subtle.verify({name: 'ECDSA', hash: 'SHA-256'}, key, signature, data))) throw new Error('raw check failed');
        }
        bare.push((performance.now() - start) / raw.length);
    }
    const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
    return {full: median(full), raw: median(bare)};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tokens and rounds")
    options = parser.parse_args()
    count, rounds = (200, 5) if options.quick else (1000, 15)
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is not installed (python scripts/ensure-chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    directory = Path(tempfile.mkdtemp(prefix="bench-web-verify-"))
    pki = build_test_pki(directory / "pki")
    root = pki.root.certificate
    now = datetime.now(UTC)
    claims = reference_building_permit(now - timedelta(days=1))
    tokens = [issue(attrs.evolve(claims, permit_number=f"2025/{i:06d}"), pki.signer) for i in range(count)]
    # A revocation list of realistic size: 10,000 revoked permits under this signer.
    update = RevocationUpdate(1, {kid_of(pki.signer.certificate): [i.to_bytes(16, "big") for i in range(10_000)]})
    files = {
        "trust": TrustList.build([pki.signer.certificate], sequence=1).sign(pki.trust_list_signer, root),
        "revocations": update.sign(pki.trust_list_signer, root),
        "root": root.public_bytes(serialization.Encoding.PEM),
    }
    for name, content in files.items():
        (directory / name).write_bytes(content)
    signed = []
    for text in tokens:
        message = cose.parse_sign1(decode_text(text))
        signed.append([message.to_be_signed().hex(), message.signature.hex()])
    localgov_app = Localgov(plugins=[])
    settings = WebSettings(
        trust_list=directory / "trust", revocations=directory / "revocations", root_certificate=directory / "root"
    )
    app = create_app(localgov_app, localgov_app.engine("sqlite://", staff=[]), settings)
    with serve(app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(base_url + "/verify")
        page.wait_for_selector("body[data-lists]")
        arguments = [files["root"].decode(), files["trust"].hex(), files["revocations"].hex(), tokens, signed, rounds]
        result = page.evaluate(_BENCH, arguments)
        version = browser.version
        browser.close()
    full, raw = result["full"] / 1000, result["raw"] / 1000
    print(f"== Verification in Chromium {version} ({count} tokens a round, median of {rounds} rounds) ==")
    print(f"raw WebCrypto ES256 verify  {raw * 1e6:8.1f} us   {1 / raw:8.0f}/s")
    print(f"page's verifyToken          {full * 1e6:8.1f} us   {1 / full:8.0f}/s")
    print(f"ratio full/raw rate         {raw / full:8.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
