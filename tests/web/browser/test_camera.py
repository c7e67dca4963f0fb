"""The camera path: Chromium's fake camera plays a video of a permit's QR code, the page reads it live.

Chromium plays a Y4M file as its camera (``--use-file-for-fake-video-capture``); the file holds the
QR picture drawn by :mod:`localgov.tokens.qr`, so the page's getUserMedia, video element, frame
scanning and decoding all run as on a phone. This module launches its own Chromium (the flags are
per browser), so it does not use the shared ``browser`` fixture.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from localgov.tokens.qr import render_png
from tests.web.browser.conftest import PHONE
from tests.web.browser.test_verify_page import open_page, verdict
from tests.web.browser.world import World

WIDTH, HEIGHT = 640, 480


def y4m_of(picture: Image.Image, frames: int = 5) -> bytes:
    """``picture`` centred on a white frame, as a YUV 4:2:0 Y4M video of ``frames`` identical frames."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    picture.thumbnail((HEIGHT - 40, HEIGHT - 40))
    frame.paste(picture, ((WIDTH - picture.width) // 2, (HEIGHT - picture.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode("ascii")
    return header + b"".join(b"FRAME\n" + planes for _ in range(frames))


def camera_browser(chromium: str, video: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    flags = [
        "--no-sandbox",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=flags)
        yield browser
        browser.close()


@pytest.fixture
def camera_page(chromium: str, world: World, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    token = getattr(world, request.param)
    video = tmp_path / "camera.y4m"
    video.write_bytes(y4m_of(Image.open(io.BytesIO(render_png(token, scale=5))).convert("RGB")))
    for browser in camera_browser(chromium, video):
        context = browser.new_context(viewport=PHONE, locale="ar-EG", permissions=["camera"])
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error, page=page: page.problems.append(str(error)))
        yield page
        context.close()


@pytest.mark.parametrize(
    ("camera_page", "code"), [("valid", "valid"), ("revoked", "revoked")], indirect=["camera_page"]
)
def test_a_permit_held_up_to_the_camera_is_read_and_verified(camera_page: Any, base_url: str, code: str) -> None:
    page = camera_page
    open_page(page, base_url + "/verify")
    page.click("#camera-button")
    shown = verdict(page)
    assert shown["code"] == code
    # Once a code is read the camera is stopped and its view hidden again.
    page.wait_for_selector("#camera", state="hidden")
    assert page.evaluate("() => document.getElementById('camera-video').srcObject") is None
    assert page.problems == []


def test_a_blank_camera_view_gives_no_verdict_until_stopped(chromium: str, base_url: str, tmp_path: Path) -> None:
    video = tmp_path / "blank.y4m"
    video.write_bytes(y4m_of(Image.new("RGB", (200, 200), "white")))
    for browser in camera_browser(chromium, video):
        page = browser.new_context(viewport=PHONE, permissions=["camera"]).new_page()
        open_page(page, base_url + "/verify")
        page.click("#camera-button")
        page.wait_for_function("() => document.getElementById('camera-video').videoWidth > 0")
        page.wait_for_timeout(1000)  # several scans of the blank frame
        assert page.is_hidden("#verdict")
        page.click("#camera-stop")
        assert page.is_hidden("#camera")
