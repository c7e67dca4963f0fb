"""The verification page end to end: QR pictures uploaded, verdicts, Arabic first, offline, list ages."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image

from localgov.testing.web import serve
from localgov.tokens import TOKEN_ERRORS
from localgov.tokens.qr import render_png
from localgov.tokens.short_codes import FIGURES, KIND_CODES, KIND_LABELS
from tests.web.browser.conftest import verifier_app
from tests.web.browser.world import World


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-lists]")


def upload(page: Any, token: str) -> dict[str, Any]:
    """Upload the token's QR picture (drawn by localgov.tokens.qr) and wait for the verdict."""
    page.evaluate("document.getElementById('verdict').removeAttribute('data-code')")
    page.set_input_files(
        "#image-input", files=[{"name": "permit-qr.png", "mimeType": "image/png", "buffer": render_png(token)}]
    )
    return verdict(page)


def verdict(page: Any) -> dict[str, Any]:
    page.wait_for_selector("#verdict[data-code]")
    shown: dict[str, Any] = page.evaluate(
        """() => ({
            code: document.getElementById('verdict').dataset.code,
            kind: document.getElementById('verdict').className,
            ar: document.getElementById('verdict-ar').textContent,
            en: document.getElementById('verdict-en').textContent,
            permitShown: !document.getElementById('permit').hidden,
            fieldsAr: document.getElementById('fields-ar').innerText,
            fieldsEn: document.getElementById('fields-en').innerText,
        })"""
    )
    return shown


def test_the_demo_permit_read_from_its_qr_picture_verifies(page: Any, base_url: str, world: World) -> None:
    open_page(page, base_url + "/verify")
    shown = upload(page, world.valid)
    assert shown["code"] == "valid" and "valid" in shown["kind"].split()
    assert shown["ar"].startswith("ترخيص صحيح") and shown["en"].startswith("Valid permit")
    # The claims, Arabic first with Eastern Arabic digits, then English.
    assert "محمد أحمد عبد الرحمن السيد" in shown["fieldsAr"]
    assert "رخصة بناء" in shown["fieldsAr"] and "٢٠٢٥/٠٠١٢٣٤" in shown["fieldsAr"]
    assert "١٧.٥ م" in shown["fieldsAr"] and "٢٤٠ م²" in shown["fieldsAr"]
    assert (
        "Building permit" in shown["fieldsEn"] and "17.5 m" in shown["fieldsEn"] and "2025/001234" in shown["fieldsEn"]
    )
    assert page.problems == []


@pytest.mark.parametrize(
    ("name", "code", "arabic"),
    [
        ("tampered", "bad_signature", "التوقيع غير صحيح"),
        ("revoked", "revoked", "الترخيص ملغى"),
        ("expired", "expired", "الترخيص منتهي الصلاحية"),
        ("foreign_signed", "unknown_signer", "جهة التوقيع غير معروفة"),
    ],
)
def test_refused_permits_say_why_in_arabic_and_english(
    page: Any, base_url: str, world: World, name: str, code: str, arabic: str
) -> None:
    open_page(page, base_url + "/verify")
    shown = upload(page, getattr(world, name))
    assert shown["code"] == code and "refused" in shown["kind"].split()
    assert shown["ar"].startswith("مرفوض") and arabic in shown["ar"]
    assert shown["en"] == f"Refused: {next(e.summary_en for e in TOKEN_ERRORS if e.code == code)}"
    assert not shown["permitShown"]


def test_a_token_in_the_address_is_verified_on_opening(page: Any, base_url: str, world: World) -> None:
    open_page(page, f"{base_url}/verify?t={quote(world.revoked, safe='')}")
    assert verdict(page)["code"] == "revoked"


def test_a_picture_without_a_qr_code_is_no_verdict(page: Any, base_url: str) -> None:
    open_page(page, base_url + "/verify")
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(picture, format="PNG")
    page.set_input_files(
        "#image-input", files=[{"name": "x.png", "mimeType": "image/png", "buffer": picture.getvalue()}]
    )
    shown = verdict(page)
    assert shown["code"] == "no_qr_code" and "unknown" in shown["kind"].split()


def test_the_page_says_how_old_its_lists_are(page: Any, base_url: str) -> None:
    open_page(page, base_url + "/verify")
    english = page.inner_text("#lists-en")
    arabic = page.inner_text("#lists-ar")
    # The world's trust list (sequence 3) was issued two days ago, its revocation list (7) five hours ago.
    assert "Trust list no. 3: issued 2 days ago" in english
    assert "Revocation list no. 7: issued 5 hours ago" in english
    assert "قائمة الثقة رقم ٣" in arabic and "قائمة الإلغاء رقم ٧" in arabic


def test_after_one_visit_it_verifies_with_the_network_cut(context: Any, world: World) -> None:
    page = context.new_page()
    with serve(verifier_app(world)) as url:
        open_page(page, url + "/verify")
        # The worker has taken over the page: it kept the page, scripts, font and lists.
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
        # The server is stopped when this block ends: the network is really gone, not just emulated.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-lists=ready]")
    assert "kept copy, offline" in page.inner_text("#lists-en")
    assert upload(page, world.valid)["code"] == "valid"
    assert upload(page, world.revoked)["code"] == "revoked"
    assert page.evaluate("() => document.fonts.check('16px \"IBM Plex Sans Arabic\"', 'رخصة')")


def test_without_lists_nothing_is_verified_and_the_page_says_so(context: Any, world: World) -> None:
    page = context.new_page()
    with serve(verifier_app(world, trust_list=None, revocations=None, root_certificate=None)) as url:
        open_page(page, url + "/verify")
        assert page.get_attribute("body", "data-lists") == "unavailable"
        shown = upload(page, world.valid)
    assert shown["code"] == "unknown" and shown["en"].startswith("Cannot verify now")


def test_a_root_other_than_the_pinned_one_is_refused(context: Any, world: World) -> None:
    page = context.new_page()
    with serve(verifier_app(world)) as url:
        open_page(page, url + "/verify")
        assert page.get_attribute("body", "data-lists") == "ready"
        # Same origin (the pin is per origin), another root: as if the server's were swapped.
        page.evaluate("localStorage.setItem('localgov.verify.root-sha256', '00'.repeat(32))")
        open_page(page, url + "/verify")
        assert page.get_attribute("body", "data-lists") == "unavailable"
        assert "root certificate changed" in page.inner_text("#lists-en")


def _status(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers["content-type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read()


def test_the_files_and_the_404_problems(world: World) -> None:
    with serve(verifier_app(world, revocations=None)) as url:
        assert _status(url + "/verify/trust-list.cose")[2] == world.trust_list_path.read_bytes()
        assert _status(url + "/verify/root.pem")[2] == world.root_path.read_bytes()
        status, media_type, body = _status(url + "/verify/revocations.cose")
        assert status == 404 and media_type == "application/problem+json"
        assert "no revocation list configured" in json.loads(body)["detail"]
        status, media_type, worker = _status(url + "/verify/sw.js")
        assert status == 200 and media_type.startswith("text/javascript")
        assert b"__VERSION__" not in worker and b'"/verify/static/token.js"' in worker
        status, media_type, _ = _status(url + "/verify/static/fonts/IBMPlexSansArabic-Regular.ttf")
        assert status == 200 and media_type == "font/ttf"
        assert _status(url + "/verify/static/fonts/secret.ttf")[0] == 404


def test_the_scripts_tables_are_the_python_ones(page: Any, base_url: str) -> None:
    open_page(page, base_url + "/verify")
    tables = page.evaluate(
        """async () => {
            const codes = await import('/verify/static/codes.js');
            const errors = await import('/verify/static/errors.js');
            return {
                kinds: [...codes.KINDS].map(([code, k]) => [code, k.name, k.ar, k.en]),
                figures: [...codes.FIGURES].map(([code, f]) => [code, f.name, f.type, f.ar, f.en, f.unit && f.unit.ar]),
                errors: Object.entries(errors.TOKEN_ERRORS).map(([code, e]) => [code, e.ar, e.en]),
            };
        }"""
    )
    assert tables["kinds"] == [[c, n, KIND_LABELS[n].ar, KIND_LABELS[n].en] for n, c in KIND_CODES.items()]
    assert tables["figures"] == [
        [f.code, f.name, f.type, f.label.ar, f.label.en, f.unit.ar if f.unit else None] for f in FIGURES
    ]
    assert tables["errors"] == [[e.code, e.summary_ar, e.summary_en] for e in TOKEN_ERRORS]


def test_arabic_bytes_decode_as_python_decodes_iso_8859_6(page: Any, base_url: str) -> None:
    open_page(page, base_url + "/verify")
    decoded = page.evaluate(
        """() => {
            const decoder = new TextDecoder('iso-8859-6', {fatal: true});
            return Array.from({length: 256}, (_, i) => {
                try { return decoder.decode(Uint8Array.of(i)); } catch { return null; }
            });
        }"""
    )
    expected: list[str | None] = []
    for byte in range(256):
        try:
            expected.append(bytes([byte]).decode("iso8859_6"))
        except UnicodeDecodeError:
            expected.append(None)
    assert decoded == expected
