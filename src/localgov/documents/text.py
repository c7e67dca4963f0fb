"""Lines of text laid out once: bidi runs, shaped glyphs, widths, and what each glyph stands for."""

from __future__ import annotations

import functools
import itertools

import attrs

from localgov.documents.bidi import FSI, LRI, PDI, RLI, visual_runs
from localgov.documents.fonts import FontFace

__all__ = ["LaidOutLine", "PlacedGlyph", "lay_out", "wrap"]

_OPENERS = frozenset((LRI, RLI, FSI))


@attrs.frozen
class PlacedGlyph:
    """A glyph with its advance and offsets in font units, and the text it stands for.

    ``text`` is what a copy-paste or a text extractor should produce for this glyph. The glyph of
    a right-to-left ligature (lam-alef, say) stands for two characters; they are recorded in
    visual order, since extractors (poppler, PDFium, pdf.js) reverse a right-to-left line after
    mapping its glyphs to characters and would otherwise turn ``لا`` into ``ال``.
    """

    glyph_id: int
    x_advance: int
    x_offset: int
    y_offset: int
    text: str


@attrs.frozen
class LaidOutLine:
    """One line of text in one face, in drawing order, measured in font units."""

    glyphs: tuple[PlacedGlyph, ...]
    advance: int
    logical_text: str

    def width(self, face: FontFace, size: float) -> float:
        return self.advance * size / face.units_per_em


def _run_glyphs(face: FontFace, text: str, rtl: bool) -> list[PlacedGlyph]:
    shaped = face.shape(text, rtl=rtl)
    boundaries = sorted({g.cluster for g in shaped} | {len(text)})
    following = dict(itertools.pairwise(boundaries))
    claimed: set[int] = set()
    placed = []
    # HarfBuzz lists right-to-left glyphs right to left in logical terms: walk them in logical
    # order so the first glyph of a cluster carries its text and the others (marks) none.
    order = range(len(shaped) - 1, -1, -1) if rtl else range(len(shaped))
    texts = [""] * len(shaped)
    for index in order:
        cluster = shaped[index].cluster
        if cluster not in claimed:
            claimed.add(cluster)
            piece = text[cluster : following.get(cluster, len(text))]
            texts[index] = piece[::-1] if rtl else piece
    for glyph, piece in zip(shaped, texts, strict=True):
        placed.append(PlacedGlyph(glyph.glyph_id, glyph.x_advance, glyph.x_offset, glyph.y_offset, piece))
    return placed


@functools.lru_cache(maxsize=8192)
def lay_out(face: FontFace, text: str, rtl_base: bool = True) -> LaidOutLine:
    """``text`` as one line (no wrapping): runs ordered, shaped and measured. Cached: labels repeat."""
    glyphs: list[PlacedGlyph] = []
    for run_text, rtl in visual_runs(text, rtl_base):
        glyphs.extend(_run_glyphs(face, run_text, rtl))
    return LaidOutLine(tuple(glyphs), sum(g.x_advance for g in glyphs), text)


def _words(text: str) -> list[str]:
    """Words separated by blanks, never breaking inside an isolate (a permit number, a Latin name)."""
    words: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch == PDI and depth:
            depth -= 1
        if ch.isspace() and depth == 0:
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


def wrap(face: FontFace, text: str, size: float, max_width: float, rtl_base: bool = True) -> list[LaidOutLine]:
    """``text`` broken at blanks into lines no wider than ``max_width`` (a longer word overflows)."""
    words = _words(text)
    if not words:
        return []
    whole = lay_out(face, " ".join(words), rtl_base)
    if whole.width(face, size) <= max_width:
        return [whole]
    lines: list[LaidOutLine] = []
    current: list[str] = []
    for word in words:
        candidate = " ".join([*current, word])
        if current and lay_out(face, candidate, rtl_base).width(face, size) > max_width:
            lines.append(lay_out(face, " ".join(current), rtl_base))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(lay_out(face, " ".join(current), rtl_base))
    return lines
