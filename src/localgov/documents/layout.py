"""A page laid out top to bottom: header, title, labelled rows, lists, QR codes, footer.

Arabic leads: labels and values are set right to left against the right margin; the English label
of each row sits against the left margin, so the page reads in Arabic and can be checked in
English. Coordinates here are measured from the top of the page; :class:`Canvas` takes PDF's.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from localgov.documents.branding import DocumentBranding
from localgov.documents.fonts import FontFace
from localgov.documents.pdfwriter import Canvas, Image
from localgov.documents.text import lay_out, wrap
from localgov.i18n import LocalizedText
from localgov.tokens.qr import make_qr

__all__ = ["Faces", "Sheet"]

MARGIN = 40.0
BLACK = (0.0, 0.0, 0.0)
GREY = (0.35, 0.35, 0.38)
RULE = (0.75, 0.77, 0.80)
LABEL_WIDTH = 150.0
ENGLISH_WIDTH = 118.0
Colour = tuple[float, float, float]


@attrs.frozen
class Faces:
    regular: FontFace
    bold: FontFace


class Sheet:
    """One page being filled from the top; ``y`` is the distance of the next line from the top."""

    def __init__(self, canvas: Canvas, faces: Faces, branding: DocumentBranding, logo: Image | None) -> None:
        self.canvas = canvas
        self.faces = faces
        self.branding = branding
        self.logo = logo
        self.width = canvas.width
        self.height = canvas.height
        self.left = MARGIN
        self.right = canvas.width - MARGIN
        self.y = MARGIN

    # --- text -----------------------------------------------------------------------------

    def _face(self, bold: bool) -> FontFace:
        return self.faces.bold if bold else self.faces.regular

    def text_width(self, text: str, size: float, *, bold: bool = False, rtl: bool = True) -> float:
        face = self._face(bold)
        return lay_out(face, text, rtl).width(face, size)

    def put(
        self,
        text: str,
        size: float,
        baseline: float,
        *,
        align: str = "right",
        x: float | None = None,
        bold: bool = False,
        rtl: bool = True,
        color: Colour = BLACK,
    ) -> float:
        """Draw one line with its baseline ``baseline`` from the top; return its width."""
        face = self._face(bold)
        line = lay_out(face, text, rtl)
        width = line.width(face, size)
        if align == "right":
            start = (self.right if x is None else x) - width
        elif align == "left":
            start = self.left if x is None else x
        else:
            start = (self.width - width) / 2 if x is None else x - width / 2
        self.canvas.text(line, face, size, start, self.height - baseline, color=color)
        return width

    def paragraph(
        self,
        text: str,
        size: float,
        *,
        right: float | None = None,
        width: float | None = None,
        bold: bool = False,
        rtl: bool = True,
        color: Colour = BLACK,
        leading: float = 1.45,
        align: str | None = None,
    ) -> float:
        """Wrapped text from the cursor down; return the height used.

        ``rtl`` is the paragraph direction; lines align right unless ``align="left"`` (the
        default for a left-to-right paragraph).
        """
        face = self._face(bold)
        edge = self.right if right is None else right
        available = (edge - self.left) if width is None else width
        lines = wrap(face, text, size, available, rtl)
        for index, line in enumerate(lines):
            baseline = self.y + size * (1 + index * leading)
            line_width = line.width(face, size)
            to_left = align == "left" or (align is None and not rtl)
            start = edge - available if to_left else edge - line_width
            self.canvas.text(line, face, size, start, self.height - baseline, color=color)
        used = size * (1 + (len(lines) - 1) * leading) + size * 0.45 if lines else 0.0
        return used

    # --- blocks ---------------------------------------------------------------------------

    def header(self) -> None:
        top = self.y
        accent = self.branding.accent
        for index, line in enumerate(self.branding.header):
            baseline = top + 14 + index * 17
            self.put(
                line.ar, 12.5 if index == 0 else 11.5, baseline, bold=index == 0, color=accent if index == 0 else BLACK
            )
            self.put(
                line.en,
                10 if index == 0 else 9.5,
                baseline,
                align="left",
                bold=index == 0,
                rtl=False,
                color=accent if index == 0 else GREY,
            )
        lines_height = 14 + max(len(self.branding.header) - 1, 0) * 17 + 8
        logo_size = 64.0
        if self.logo is not None:
            self.canvas.image(
                "Logo", self.logo, (self.width - logo_size) / 2, self.height - top - logo_size, logo_size, logo_size
            )
        self.y = top + max(lines_height, logo_size) + 8
        self.canvas.rectangle(self.left, self.height - self.y - 2, self.right - self.left, 2, fill=accent)
        self.y += 14

    def title(self, title: LocalizedText) -> None:
        self.put(title.ar, 20, self.y + 20, align="center", bold=True, color=self.branding.accent)
        self.put(title.en, 12, self.y + 38, align="center", rtl=False, color=GREY)
        self.y += 52

    def section(self, heading: LocalizedText) -> None:
        self.y += 6
        self.canvas.rectangle(self.left, self.height - self.y - 20, self.right - self.left, 20, fill=(0.93, 0.95, 0.97))
        self.put(heading.ar, 11.5, self.y + 14.5, x=self.right - 6, bold=True, color=self.branding.accent)
        self.put(heading.en, 9.5, self.y + 14, x=self.left + 6, align="left", rtl=False, color=GREY)
        self.y += 26

    def row(
        self, label: LocalizedText, value: LocalizedText | str, *, emphasis: bool = False, show_english: bool = False
    ) -> None:
        """A labelled value: Arabic label at the right, value in the middle, English label at the left."""
        top = self.y
        self.put(label.ar, 10.5, top + 12, bold=True)
        self.put(label.en, 8.5, top + 12, align="left", rtl=False, color=GREY)
        value_right = self.right - LABEL_WIDTH
        value_width = value_right - (self.left + ENGLISH_WIDTH)
        self.y = top + 1
        arabic = value.ar if isinstance(value, LocalizedText) else value
        used = self.paragraph(arabic, 12 if emphasis else 11, right=value_right, width=value_width, bold=emphasis)
        # The English value is left out: pdftotext (poppler) reads a page right to left only when
        # it holds more Arabic letters than Latin ones, so English stays on the labels.
        if isinstance(value, LocalizedText) and show_english and value.en != value.ar:
            self.y = top + used + 1
            used += self.paragraph(
                value.en, 8.5, right=value_right, width=value_width, rtl=False, align="right", color=GREY
            )
        self.y = top + max(used, 16) + 6
        self.canvas.line(
            self.left, self.height - self.y + 2, self.right, self.height - self.y + 2, color=RULE, width=0.4
        )
        self.y += 4

    def bullets(self, items: Sequence[LocalizedText]) -> None:
        """Arabic items, one a line (English names would tip the page's direction; see :meth:`row`)."""
        for item in items:
            top = self.y
            self.put("•", 11, top + 12, x=self.right - 4, color=self.branding.accent)
            self.put(item.ar, 10.5, top + 12, x=self.right - 16)
            self.y = top + 19

    def qr(self, text: str, x: float, top: float, size: float, *, mask: int | None = None) -> None:
        """A QR code of ``text``, ``size`` points wide including its quiet zone, its corner at ``x, top``."""
        symbol = make_qr(text, mask=mask)
        matrix = symbol.matrix
        quiet = 4
        module = size / (len(matrix) + 2 * quiet)
        bottom = self.height - top - size
        self.canvas.rectangle(x, bottom, size, size, fill=(1, 1, 1))
        self.canvas.modules(matrix, x + quiet * module, bottom + quiet * module, module)

    def box(
        self,
        left: float,
        top: float,
        width: float,
        height: float,
        *,
        fill: Colour | None = None,
        stroke: Colour | None = RULE,
    ) -> None:
        self.canvas.rectangle(left, self.height - top - height, width, height, fill=fill, stroke=stroke)

    def footer(self, lines: Sequence[LocalizedText]) -> None:
        base = self.height - MARGIN - 6 - 13 * (2 * len(lines) - 1)
        self.canvas.line(
            self.left, self.height - base + 10, self.right, self.height - base + 10, color=self.branding.accent, width=1
        )
        for index, line in enumerate(lines):
            self.put(line.ar, 8.5, base + 26 * index, align="center", color=GREY)
            self.put(line.en, 7.5, base + 26 * index + 12, align="center", rtl=False, color=GREY)
