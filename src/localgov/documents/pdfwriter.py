"""A small PDF writer: pages of text, rules, images and QR codes, written in one pass.

It writes exactly what the documents need and nothing else: Type 0 fonts with TrueType outlines
addressed by glyph id (``Identity-H``), a ``ToUnicode`` map so text can be searched and copied in
logical order, Flate-compressed streams, a classic cross-reference table (which pyHanko's
incremental writer then extends with the signature). Coordinates are PDF points from the
bottom-left corner.
"""

from __future__ import annotations

import datetime
import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence

import attrs

from localgov.documents.fonts import FontFace
from localgov.documents.text import LaidOutLine

__all__ = ["Canvas", "DocumentInfo", "Image", "PdfBuilder", "pdf_string"]

A4 = (595.28, 841.89)
_COMPRESSION = 6


def pdf_string(text: str) -> bytes:
    """A PDF text string: plain when printable ASCII, otherwise UTF-16BE with a byte order mark."""
    if text.isascii() and text.isprintable():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _name(text: str) -> bytes:
    return b"/" + "".join(ch if ch.isalnum() or ch in "-_." else f"#{ord(ch):02X}" for ch in text).encode("ascii")


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@attrs.frozen
class Image:
    """An RGB raster, already Flate-compressed, with an optional compressed alpha channel."""

    width: int
    height: int
    rgb: bytes = attrs.field(repr=False)
    alpha: bytes | None = attrs.field(default=None, repr=False)

    @classmethod
    def from_png(cls, data: bytes) -> Image:
        import io

        from PIL import Image as PilImage

        with PilImage.open(io.BytesIO(data)) as opened:
            picture = opened.convert("RGBA")
        alpha_band = picture.getchannel("A")
        opaque = alpha_band.getextrema() == (255, 255)
        return cls(
            picture.width,
            picture.height,
            zlib.compress(picture.convert("RGB").tobytes(), _COMPRESSION),
            None if opaque else zlib.compress(alpha_band.tobytes(), _COMPRESSION),
        )


@attrs.frozen
class DocumentInfo:
    """The document information dictionary, and the catalogue's language."""

    title: str
    author: str
    subject: str
    keywords: str = ""
    language: str = "ar-EG"
    created: datetime.datetime | None = None
    # Extra entries (``Localgov...`` keys): facts a verifier compares with the signed token.
    extra: Mapping[str, str] = attrs.field(factory=dict)


class _FontUse:
    """The glyphs one document draws from one face, and the text each stands for."""

    def __init__(self, face: FontFace, resource: str) -> None:
        self.face = face
        self.resource = resource
        self.texts: dict[int, str] = {}

    def note(self, line: LaidOutLine) -> None:
        for glyph in line.glyphs:
            # A glyph keeps the first text it stood for; a mark (no text of its own) maps to none.
            if glyph.text and not self.texts.get(glyph.glyph_id):
                self.texts[glyph.glyph_id] = glyph.text
            else:
                self.texts.setdefault(glyph.glyph_id, "")


class Canvas:
    """The content of one page, drawn with a few primitives."""

    def __init__(self, width: float, height: float, fonts: dict[str, _FontUse], images: dict[str, Image]) -> None:
        self.width = width
        self.height = height
        self._fonts = fonts
        self._images = images
        self._ops: list[str] = []

    def _font(self, face: FontFace) -> _FontUse:
        use = self._fonts.get(face.name)
        if use is None:
            use = self._fonts[face.name] = _FontUse(face, f"F{len(self._fonts) + 1}")
        return use

    def text(
        self,
        line: LaidOutLine,
        face: FontFace,
        size: float,
        x: float,
        y: float,
        *,
        color: tuple[float, float, float] = (0, 0, 0),
    ) -> None:
        """Draw ``line`` with its left end at ``x`` and its baseline at ``y``."""
        if not line.glyphs:
            return
        use = self._font(face)
        use.note(line)
        scale = 1000 / face.units_per_em
        parts: list[str] = []
        pending: list[str] = []
        rise = 0
        for glyph in line.glyphs:
            # The pen moves by the glyph's W width; shift it to HarfBuzz's advance and offsets.
            if glyph.y_offset != rise:
                if pending:
                    parts.append("[" + "".join(pending) + "] TJ")
                    pending = []
                rise = glyph.y_offset
                parts.append(f"{_number(rise * size / face.units_per_em)} Ts")
            if glyph.x_offset:
                pending.append(f" {_number(-glyph.x_offset * scale)} ")
            pending.append(f"<{glyph.glyph_id:04X}>")
            correction = face.width_1000(glyph.glyph_id) - glyph.x_advance * scale + glyph.x_offset * scale
            if abs(correction) > 0.01:
                pending.append(f" {_number(correction)} ")
        if pending:
            parts.append("[" + "".join(pending) + "] TJ")
        if rise:
            parts.append("0 Ts")
        red, green, blue = color
        self._ops.append(
            f"BT /{use.resource} {_number(size)} Tf {_number(red)} {_number(green)} {_number(blue)} rg "
            f"1 0 0 1 {_number(x)} {_number(y)} Tm " + " ".join(parts) + " ET"
        )

    def rectangle(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        fill: tuple[float, float, float] | None = None,
        stroke: tuple[float, float, float] | None = None,
        line_width: float = 0.6,
    ) -> None:
        ops = [f"{_number(x)} {_number(y)} {_number(width)} {_number(height)} re"]
        if fill is not None:
            ops.insert(0, "{} {} {} rg".format(*map(_number, fill)))
        if stroke is not None:
            ops.insert(0, "{} {} {} RG {} w".format(*map(_number, stroke), _number(line_width)))
        paint = "B" if fill is not None and stroke is not None else ("f" if fill is not None else "S")
        self._ops.append("q " + " ".join(ops) + f" {paint} Q")

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        color: tuple[float, float, float] = (0, 0, 0),
        width: float = 0.6,
    ) -> None:
        self._ops.append(
            "q {} {} {} RG {} w {} {} m {} {} l S Q".format(
                *map(_number, color), _number(width), _number(x1), _number(y1), _number(x2), _number(y2)
            )
        )

    def modules(self, matrix: Sequence[Sequence[int]], x: float, y: float, module: float) -> None:
        """Draw a QR symbol's dark modules (``matrix`` rows from the top) with ``x, y`` its bottom-left."""
        rows = len(matrix)
        rects: list[str] = []
        for row_index, row in enumerate(matrix):
            top = y + (rows - row_index - 1) * module
            column = 0
            while column < len(row):
                if row[column]:
                    start = column
                    while column < len(row) and row[column]:
                        column += 1
                    rects.append(
                        f"{_number(x + start * module)} {_number(top)} {_number((column - start) * module)} {_number(module)} re"
                    )
                else:
                    column += 1
        self._ops.append("q 0 0 0 rg " + " ".join(rects) + " f Q")

    def image(self, key: str, image: Image, x: float, y: float, width: float, height: float) -> None:
        self._images.setdefault(key, image)
        self._ops.append(f"q {_number(width)} 0 0 {_number(height)} {_number(x)} {_number(y)} cm /{key} Do Q")

    def content(self) -> bytes:
        return "\n".join(self._ops).encode("latin-1")


class PdfBuilder:
    """Pages drawn on :class:`Canvas` objects, assembled into one PDF file."""

    def __init__(self, page_size: tuple[float, float] = A4) -> None:
        self.page_size = page_size
        self._fonts: dict[str, _FontUse] = {}
        self._images: dict[str, Image] = {}
        self._pages: list[Canvas] = []

    def new_page(self) -> Canvas:
        page = Canvas(*self.page_size, self._fonts, self._images)
        self._pages.append(page)
        return page

    def build(self, info: DocumentInfo) -> bytes:
        objects = _Objects()
        catalog, pages_root, info_number = objects.reserve(), objects.reserve(), objects.reserve()
        font_refs = {use.resource: _font_objects(use, objects) for use in self._fonts.values()}
        image_refs = {key: _image_objects(image, objects) for key, image in self._images.items()}
        fonts = "".join(f"/{name} {ref} 0 R " for name, ref in font_refs.items())
        xobjects = "".join(f"/{name} {ref} 0 R " for name, ref in image_refs.items())
        width, height = self.page_size
        kids = []
        for page in self._pages:
            content = objects.add_stream("", page.content())
            kids.append(
                objects.add(
                    (
                        f"<< /Type /Page /Parent {pages_root} 0 R /MediaBox [0 0 {_number(width)} {_number(height)}] "
                        f"/Contents {content} 0 R /Resources << /Font << {fonts}>> /XObject << {xobjects}>> >> >>"
                    ).encode()
                )
            )
        objects.put(
            pages_root, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
        )
        objects.put(
            catalog,
            f"<< /Type /Catalog /Pages {pages_root} 0 R /Lang ".encode()
            + pdf_string(info.language)
            + b" /ViewerPreferences << /Direction /R2L /DisplayDocTitle true >> >>",
        )
        objects.put(info_number, _info_dictionary(info))
        return objects.serialise(catalog, info_number)


class _Objects:
    """The numbered objects of a file being written."""

    def __init__(self) -> None:
        self._bodies: list[bytes] = []

    def reserve(self) -> int:
        self._bodies.append(b"")
        return len(self._bodies)

    def put(self, number: int, body: bytes) -> int:
        self._bodies[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.put(self.reserve(), body)

    def add_stream(self, entries: str, data: bytes, *, compressed: bool = False) -> int:
        """A Flate stream of ``data`` (compressed here unless ``compressed`` says it already is)."""
        payload = data if compressed else zlib.compress(data, _COMPRESSION)
        head = f"<<{entries} /Filter /FlateDecode /Length {len(payload)}>>\nstream\n".encode()
        return self.add(head + payload + b"\nendstream")

    def serialise(self, catalog: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self._bodies, 1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self._bodies) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
        document_id = hashlib.sha256(bytes(out)).hexdigest()[:32]
        out += (
            f"trailer\n<< /Size {len(self._bodies) + 1} /Root {catalog} 0 R /Info {info} 0 R "
            f"/ID [<{document_id}> <{document_id}>] >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)


def _image_objects(image: Image, objects: _Objects) -> int:
    common = f" /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} /BitsPerComponent 8"
    smask = ""
    if image.alpha is not None:
        alpha = objects.add_stream(common + " /ColorSpace /DeviceGray", image.alpha, compressed=True)
        smask = f" /SMask {alpha} 0 R"
    return objects.add_stream(common + " /ColorSpace /DeviceRGB" + smask, image.rgb, compressed=True)


def _info_dictionary(info: DocumentInfo) -> bytes:
    created = info.created or datetime.datetime.now(datetime.UTC)
    offset = created.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    stamp = created.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
    entries = [
        ("Title", info.title),
        ("Author", info.author),
        ("Subject", info.subject),
        ("Creator", "localgov"),
        ("Producer", "localgov documents"),
    ]
    if info.keywords:
        entries.append(("Keywords", info.keywords))
    entries.extend(sorted(info.extra.items()))
    body = b"<<" + b"".join(_name(key) + b" " + pdf_string(value) + b" " for key, value in entries)
    return body + b"/CreationDate " + pdf_string(stamp) + b" /ModDate " + pdf_string(stamp) + b">>"


def _font_objects(use: _FontUse, objects: _Objects) -> int:
    face = use.face
    glyph_ids = sorted(use.texts)
    program = face.glyphs.subset(glyph_ids)
    # A subset's name carries a tag of six capitals that differs between subsets (ISO 32000 9.6.4).
    digest = hashlib.sha256(repr(glyph_ids).encode()).digest()
    base = "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + face.name
    file_ref = objects.add_stream(f" /Length1 {len(program)}", program)
    scale = 1000 / face.units_per_em
    x_min, y_min, x_max, y_max = (round(v * scale) for v in face.bbox)
    descriptor = objects.add(
        (
            f"<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{x_min} {y_min} {x_max} {y_max}] "
            f"/ItalicAngle 0 /Ascent {round(face.ascent * scale)} /Descent {round(face.descent * scale)} "
            f"/CapHeight {round(face.cap_height * scale)} /StemV 80 /FontFile2 {file_ref} 0 R >>"
        ).encode()
    )
    widths = " ".join(f"{g} [{face.width_1000(g)}]" for g in glyph_ids)
    cid_font = objects.add(
        (
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /W [{widths}] /CIDToGIDMap /Identity >>"
        ).encode()
    )
    to_unicode = objects.add_stream("", _to_unicode_cmap(use.texts.items()))
    return objects.add(
        (
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H "
            f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
        ).encode()
    )


def _to_unicode_cmap(entries: Iterable[tuple[int, str]]) -> bytes:
    mapped = [(glyph_id, text) for glyph_id, text in sorted(entries) if text]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(mapped), 100):
        chunk = mapped[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{glyph_id:04X}> <{text.encode('utf-16-be').hex().upper()}>" for glyph_id, text in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")
