"""The reference browser client in Chromium: enrolled against a one-time code, the bundle
downloaded and verified in the page, a renewal taken (and one refused by the page's check), its
fee estimate and its receipt's QR code drawn (read back with localgov's QR reader), the app
reopened offline from its service worker with the outbox intact, then synced.

At phone width, in Arabic. ``LOCALGOV_UPDATE_SCREENSHOTS=1`` also writes the screenshot of the
receipt to docs/images/mobile-app-receipt.png (how it was made); otherwise to a temporary folder."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography import x509
from localgov_mobile import read_receipt
from localgov_mobile.enrolment import Enroller
from localgov_mobile.schema import devices, manifests
from localgov_mobile.web import mobile_part
from mobile_harness import MOBILE_CLERK, SERVICE_POINT, Clock, World, cairo, pki, world

from localgov.fees import estimate
from localgov.requests.forms import validate_form
from localgov.testing.web import serve
from localgov.tokens import cose
from localgov.tokens.qr import read_qr_texts
from localgov.web import create_app, standard_parts

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
IMAGES = Path(__file__).parents[3] / "docs" / "images"
SHOP_FORM = {"licence_number": "ZTN/SH/2020/118", "activity": "retail", "shop_address": "٣ شارع طومان باي، الزيتون"}
ENSURE = Path(__file__).parents[3] / "scripts" / "ensure-chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        subprocess.run([sys.executable, str(ENSURE)], capture_output=True, check=False)
        if not CHROMIUM.exists():
            pytest.skip(f"{CHROMIUM} is absent and could not be installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[World, Enroller, str]]:
    # The browser checks certificates and the bundle's validity by its own clock: the server's is real too.
    made = world(f"sqlite:///{tmp_path / 'server.sqlite3'}", Clock(datetime.datetime.now(datetime.UTC)))
    enroller = Enroller(made.server.database, pki().ca, clock=made.clock)
    app = create_app(cairo(), made.engine, parts=[*standard_parts(), mobile_part(made.server, enroller)])
    with serve(app) as base:
        yield made, enroller, base
    made.engine.store.close()  # type: ignore[attr-defined]


def fill_visit(page: Any, national_id: str) -> None:
    page.select_option("#service", "shop_licence_renewal")
    page.select_option("#point", SERVICE_POINT)
    page.fill("#clerk", MOBILE_CLERK.id)
    page.fill("#national-id", national_id)
    page.fill("#name", "محمد أحمد علي حسن")
    page.fill("#mobile", "010 1234 5678")
    page.fill("[name=licence_number]", SHOP_FORM["licence_number"])
    page.select_option("[name=activity]", SHOP_FORM["activity"])
    page.fill("[name=shop_address]", SHOP_FORM["shop_address"])
    for kind in ("previous_licence", "national_id_copy"):
        page.set_input_files(
            f"input[data-type={kind}]",
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% " + kind.encode()}],
        )


def test_the_browser_client_end_to_end(browser: Any, live: tuple[World, Enroller, str], tmp_path: Path) -> None:
    made, enroller, base = live
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="ar-EG")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A CSP violation (an inline script or style the page must not use) is a console error.
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.goto(f"{base}/mobile/app")
    page.wait_for_selector("body[data-ready='1']")

    page.fill("#device-id", "ZTN-TAB-09")
    page.fill("#code", "WRONG-CODE")
    page.click("#enrol button")
    page.wait_for_selector("#enrolled.problem")
    assert "unknown enrolment code" in page.inner_text("#enrolled")
    page.fill("#code", enroller.offer("C-ZTN", "ZTN-TAB-09"))
    page.click("#enrol button")
    page.wait_for_selector("#enrolled.ok")
    assert "ZTN-TAB-09 (C-ZTN)" in page.inner_text("#device")

    page.click("#download")
    page.wait_for_selector("#downloaded.ok")
    assert page.inner_text("#bundle").startswith("1 — ")

    # The page's own check refuses a national ID that is not one; nothing is queued.
    fill_visit(page, "1234")
    page.click("#visit button")
    page.wait_for_selector("#result.problem")
    assert "applicant.national_id" in page.inner_text("#result")
    fill_visit(page, "28005170101234")
    page.click("#visit button")
    page.wait_for_selector("#result.ok")
    assert "ZTN-TAB-09-000001" in page.inner_text("#result")
    receipt_text = page.inner_text("#receipt-qr")
    # The fee estimate is localgov's own for the same form, on the same day (UTC, as the tablet's).
    shop = made.engine.catalogue.for_governorate("C").services["shop_licence_renewal"]
    expected = estimate(
        shop, made.engine.catalogue, validate_form(shop, SHOP_FORM), as_of=datetime.datetime.now(datetime.UTC).date()
    )
    assert expected.complete and f"EGP {expected.total}" in page.inner_text("#receipt-fees")
    assert "(حد أدنى" not in page.inner_text("#receipt-fees")
    # The QR image the page drew reads back, with localgov's reader, as the receipt's signed text.
    drawn = page.locator("#receipt-qr-image svg").screenshot()
    assert read_qr_texts(drawn) == [receipt_text]
    layout = page.evaluate(
        """() => ({
            direction: getComputedStyle(document.documentElement).direction,
            overflow: document.scrollingElement.scrollWidth - window.innerWidth,
            font: [...document.fonts].some((f) => f.family.includes("IBM Plex Sans Arabic") && f.status === "loaded"),
        })"""
    )
    assert layout == {"direction": "rtl", "overflow": 0, "font": True}
    folder = IMAGES if os.environ.get("LOCALGOV_UPDATE_SCREENSHOTS") == "1" else tmp_path
    # The screen the clerk turns to the applicant: the receipt, its fees and its QR code.
    page.locator("#result").evaluate("(element) => element.scrollIntoView()")
    page.screenshot(path=str(folder / "mobile-app-receipt.png"))
    assert page.locator("#outbox li").all_inner_texts() == ["ZTN-TAB-09-000001 shop_licence_renewal: pending"]

    # Offline: the app opens from its service worker, the outbox as it was.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#outbox li").count() == 1
    page.click("#sync")
    page.wait_for_selector("#synced.problem")
    assert "nothing changed" in page.inner_text("#synced")

    context.set_offline(False)
    page.click("#sync")
    page.wait_for_selector("#synced.ok")
    (row,) = made.engine.summaries()
    request = made.engine.get(row.id)
    assert (request.channel, request.service_point, request.applicant.mobile) == (
        "mobile_unit",
        SERVICE_POINT,
        "+201012345678",
    )
    assert page.locator("#outbox li").all_inner_texts() == [
        f"ZTN-TAB-09-000001 shop_licence_renewal: accepted → {row.id}"
    ]
    # The receipt the page signed with its WebCrypto key verifies with the device certificate.
    device = made.server.database.connect().execute(sa.select(devices.c.certificate)).scalar_one()
    claims = read_receipt(receipt_text, x509.load_der_x509_certificate(device))
    assert (claims[2], claims[3], claims[4], claims[8]) == ("ZTN-TAB-09", 1, "ZTN-TAB-09-000001", str(expected.total))
    (record,) = made.server.records()
    assert (record.device_id, record.outcome) == ("ZTN-TAB-09", "accepted")
    # The page signed its sync's manifest with the same key: the server relied on it and kept it.
    with made.server.database.connect() as connection:
        (manifest,) = connection.execute(sa.select(manifests.c.manifest)).scalars()
    assert cose.verify(bytes(manifest), x509.load_der_x509_certificate(device))
    assert problems == []
    assert [m for m in console if "Content Security Policy" in m] == [], console
    assert missing == []  # every file the app asks for is served (the font among them)
    context.close()
