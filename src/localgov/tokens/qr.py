"""QR images of tokens and receipt links: drawn with segno, read back with zxing-cpp.

Print wants error-correction level Q (a quarter of the symbol may be smudged or torn and it still
reads); a token's Base45 text is encoded in alphanumeric mode. The mask pattern is the one segno
would choose, chosen in a third of segno's time (:mod:`localgov.tokens.qr_mask`); ``mask`` fixes
one (0-7) when rendering speed matters more than the last bit of scanning robustness.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Literal

import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

from localgov.errors import LocalgovError
from localgov.tokens.qr_mask import make_with_best_mask

__all__ = [
    "QrError",
    "make_qr",
    "qr_version",
    "read_qr_texts",
    "render_png",
    "render_svg",
]

ErrorLevel = Literal["l", "m", "q", "h"]
DEFAULT_ERROR: ErrorLevel = "q"
#: Pixels over which a decompression bomb is refused before decoding.
MAX_IMAGE_PIXELS = 40_000_000


class QrError(LocalgovError):
    """An image could not be read, or holds no QR code."""


def make_qr(text: str, *, error: ErrorLevel = DEFAULT_ERROR, mask: int | None = None) -> segno.QRCode:
    """The QR symbol for ``text`` (never a Micro QR: phone scanners often cannot read those)."""
    if mask is None:
        return make_with_best_mask(text, error=error)
    return segno.make(text, error=error, micro=False, boost_error=False, mask=mask)


def qr_version(text: str, *, error: ErrorLevel = DEFAULT_ERROR) -> int:
    """The QR version (1-40; size ``17 + 4 * version`` modules) ``text`` needs at ``error``."""
    version = make_qr(text, error=error, mask=0).version
    assert isinstance(version, int)
    return version


def render_svg(text: str, *, error: ErrorLevel = DEFAULT_ERROR, scale: float = 4, mask: int | None = None) -> str:
    """An SVG image of the QR code (quiet zone of 4 modules, as the standard asks)."""
    buffer = io.BytesIO()
    make_qr(text, error=error, mask=mask).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


def render_png(
    text: str,
    target: str | os.PathLike[str] | None = None,
    *,
    error: ErrorLevel = DEFAULT_ERROR,
    scale: int = 4,
    mask: int | None = None,
) -> bytes:
    """A PNG image of the QR code; also written to ``target`` if given."""
    buffer = io.BytesIO()
    make_qr(text, error=error, mask=mask).save(buffer, kind="png", scale=scale, border=4)
    data = buffer.getvalue()
    if target is not None:
        Path(target).write_bytes(data)
    return data


def read_qr_texts(image: Image.Image | bytes | str | os.PathLike[str]) -> list[str]:
    """The texts of every QR code in a photo or scan (a PIL image, image bytes, or a file)."""
    if isinstance(image, Image.Image):
        picture = image
    else:
        source = io.BytesIO(image) if isinstance(image, bytes) else Path(image)
        try:
            with Image.open(source) as opened:
                if opened.width * opened.height > MAX_IMAGE_PIXELS:
                    raise QrError(f"image of {opened.width}x{opened.height} pixels is too large")
                picture = opened.convert("L")
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
            where = "image data" if isinstance(image, bytes) else str(image)
            raise QrError(f"cannot read {where} as an image: {error}") from None
    # The QRCode format family includes Micro QR.
    barcodes = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return [barcode.text for barcode in barcodes if barcode.valid]
