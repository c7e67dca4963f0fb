from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from localgov.tokens import TrustList, verify
from localgov.tokens.qr import QrError, make_qr, qr_version, read_qr_texts, render_png, render_svg
from localgov.tokens.receipt import (
    ACCESS_CODE_ALPHABET,
    ACCESS_CODE_LENGTH,
    ReceiptLinkError,
    access_code_digest,
    check_access_code,
    check_access_code_digest,
    new_access_code,
    parse_receipt_link,
    receipt_link,
)


def test_round_trip_through_pixels(token: str, trust: TrustList, tmp_path: Path) -> None:
    target = tmp_path / "permit.png"
    render_png(token, target)
    (text,) = read_qr_texts(target)
    assert verify(text, trust).claims.permit_number == "2025/001234"


def test_photo_like_image_still_reads(token: str) -> None:
    image = Image.open(io.BytesIO(render_png(token, scale=6))).convert("L")
    canvas = Image.new("L", (image.width + 300, image.height + 300), 230)
    canvas.paste(image.rotate(8, expand=True, fillcolor=255), (120, 90))
    assert read_qr_texts(canvas) == [token]


def test_token_uses_alphanumeric_mode_at_level_q(token: str) -> None:
    symbol = make_qr(token)
    assert symbol.mode == "alphanumeric" and symbol.error == "Q"
    assert qr_version(token) == symbol.version <= 14


def test_svg(token: str) -> None:
    svg = render_svg(token)
    assert svg.startswith("<svg") and "</svg>" in svg


def test_unreadable_images(tmp_path: Path) -> None:
    with pytest.raises(QrError):
        read_qr_texts(b"not an image")
    with pytest.raises(QrError):
        read_qr_texts(tmp_path / "missing.png")
    blank = io.BytesIO()
    Image.new("L", (50, 50), 255).save(blank, format="PNG")
    assert read_qr_texts(blank.getvalue()) == []


def test_access_codes() -> None:
    codes = {new_access_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == ACCESS_CODE_LENGTH and set(c) <= set(ACCESS_CODE_ALPHABET) for c in codes)
    code = "7K2M-9QX0B1"
    assert check_access_code("7k2m 9qxob1", code)  # lower case, blank, O for 0
    assert check_access_code("7K2M9QXOBI", code)  # I for 1
    assert not check_access_code("7K2M9QX0B2", code)
    assert check_access_code_digest("7k2m9qx0b1", access_code_digest(code))
    assert not check_access_code_digest("", access_code_digest(code))


def test_receipt_link_round_trip_and_qr() -> None:
    code = new_access_code()
    link = receipt_link("https://portal.cairo.gov.eg/", "CAI-2025-000123/7", code)
    assert link == f"https://portal.cairo.gov.eg/track/CAI-2025-000123%2F7?c={code}"
    assert parse_receipt_link(link) == ("CAI-2025-000123/7", code)
    assert read_qr_texts(render_png(link)) == [link]


@pytest.mark.parametrize(
    ("base", "number", "code"),
    [
        ("http://portal.gov.eg", "1", "ABC"),
        ("https://portal.gov.eg?x=1", "1", "ABC"),
        ("https:///nohost", "1", "ABC"),
        ("https://portal.gov.eg", " ", "ABC"),
        ("https://portal.gov.eg", "1", "AB&C"),
        ("https://portal.gov.eg", "1", ""),
    ],
)
def test_receipt_link_refusals(base: str, number: str, code: str) -> None:
    with pytest.raises(ReceiptLinkError):
        receipt_link(base, number, code)


def test_localhost_may_use_http() -> None:
    assert receipt_link("http://localhost:8000", "1", "ABC").startswith("http://localhost:8000/track/1")


@given(st.text(max_size=200))
def test_parse_receipt_link_never_raises_anything_else(link: str) -> None:
    try:
        parse_receipt_link(link)
    except ReceiptLinkError:
        pass
