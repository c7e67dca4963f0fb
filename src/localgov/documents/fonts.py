"""Fonts: read once from a package dependency, shaped with HarfBuzz, embedded as subsets.

The documents use IBM Plex Sans Arabic (SIL Open Font License), installed from PyPI as
``fontpkg-ibm-plex-sans-arabic``: it covers Arabic and Latin, so a permit mixing an Arabic name,
a Latin permit number and an amount in EGP needs one family. Fonts are never looked up on the
system, so a document looks the same on every machine that makes it.
"""

from __future__ import annotations

import functools
import struct
from pathlib import Path
from typing import Literal

import attrs
import uharfbuzz as hb

from localgov.documents.errors import FontError
from localgov.documents.subset import GlyphTable, read_glyph_table

__all__ = ["FAMILY", "FontFace", "ShapedGlyph", "load_face"]

FAMILY = "IBM Plex Sans Arabic"
Weight = Literal["regular", "bold"]
_WEIGHTS = {"regular": 400, "bold": 700}


@attrs.frozen
class ShapedGlyph:
    """One glyph as HarfBuzz placed it, in font units; ``cluster`` indexes the run's text."""

    glyph_id: int
    cluster: int
    x_advance: int
    x_offset: int
    y_offset: int


@attrs.frozen(eq=False)
class FontFace:
    """A font file, parsed once: metrics, a HarfBuzz font for shaping, glyphs for subsetting."""

    name: str
    units_per_em: int
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    advances: tuple[int, ...] = attrs.field(repr=False)
    glyphs: GlyphTable = attrs.field(repr=False)
    _hb_font: hb.Font = attrs.field(repr=False, alias="hb_font")

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> FontFace:
        glyphs = read_glyph_table(data)
        try:
            head, hhea, hmtx = glyphs.tables["head"], glyphs.tables["hhea"], glyphs.tables["hmtx"]
            units_per_em = struct.unpack_from(">H", head, 18)[0]
            bbox = struct.unpack_from(">hhhh", head, 36)
            ascent, descent = struct.unpack_from(">hh", hhea, 4)
            (metric_count,) = struct.unpack_from(">H", hhea, 34)
            os2 = glyphs.tables.get("OS/2", b"")
            cap_height = struct.unpack_from(">h", os2, 88)[0] if len(os2) >= 90 else ascent
            widths = [struct.unpack_from(">H", hmtx, 4 * i)[0] for i in range(metric_count)]
        except (KeyError, struct.error) as error:
            raise FontError(f"{name}: cannot read metrics: {error}") from None
        # Glyphs past the last hmtx entry share its advance (the format's monospaced tail).
        widths.extend([widths[-1]] * (glyphs.glyph_count - len(widths)))
        font = hb.Font(hb.Face(hb.Blob(data)))
        return cls(name, units_per_em, ascent, descent, cap_height, bbox, tuple(widths), glyphs, font)

    def shape(self, text: str, *, rtl: bool) -> tuple[ShapedGlyph, ...]:
        """Glyphs for ``text`` (one direction run), in visual order, left to right."""
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.direction = "rtl" if rtl else "ltr"
        buffer.script = "Arab" if rtl else "Latn"
        buffer.language = "ar" if rtl else "en"
        hb.shape(self._hb_font, buffer, {})
        return tuple(
            ShapedGlyph(info.codepoint, info.cluster, position.x_advance, position.x_offset, position.y_offset)
            for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
        )

    def width_1000(self, glyph_id: int) -> int:
        """The glyph's advance in thousandths of an em, as a PDF ``W`` array gives it."""
        return round(self.advances[glyph_id] * 1000 / self.units_per_em)


def _font_path(weight: Weight) -> Path:
    try:
        import fontpkg
    except ImportError:  # pragma: no cover - a declared dependency
        raise FontError("the fontpkg package is missing: pip install fontpkg-ibm-plex-sans-arabic") from None
    try:
        return Path(fontpkg.path(FAMILY, _WEIGHTS[weight]))
    except fontpkg.FontpkgError as error:
        raise FontError(
            f"{FAMILY} {weight} is not installed ({error}): pip install fontpkg-ibm-plex-sans-arabic"
        ) from None


@functools.cache
def load_face(weight: Weight = "regular") -> FontFace:
    """The packaged face of ``weight``, read once per process."""
    path = _font_path(weight)
    name = f"IBMPlexSansArabic-{weight.capitalize()}"
    return FontFace.from_bytes(path.read_bytes(), name)
