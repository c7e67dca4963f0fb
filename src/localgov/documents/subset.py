"""A fast TrueType subsetter for embedding: keep the glyphs a document uses, keep their ids.

fontTools' subsetter renumbers glyphs and rebuilds every table; it costs tens of milliseconds
per document. A PDF that addresses glyphs by id (``/CIDToGIDMap /Identity``) only needs the
outlines of the glyphs it shows, so here the ``glyf`` table keeps those (and the components
they are built from) and every other glyph becomes empty: ids stay valid, no table but ``glyf``,
``loca`` and ``head`` changes, and a subset takes well under a millisecond. The tables a PDF
renderer reads for an embedded TrueType font are kept; layout tables (GSUB, GPOS) are dropped:
shaping happened before the glyphs were written.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping

import attrs

from localgov.documents.errors import FontError

__all__ = ["GlyphTable", "read_glyph_table"]

# What renderers need to draw an embedded TrueType font addressed by glyph id (PDF 32000 9.9).
KEPT_TABLES = ("OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep")

_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}I", padded))) & 0xFFFFFFFF


def _components(outline: bytes) -> tuple[int, ...]:
    """Glyph ids a composite glyph is built from (empty for a simple glyph)."""
    if len(outline) < 10 or struct.unpack_from(">h", outline)[0] >= 0:
        return ()
    found = []
    offset = 10
    while offset + 4 <= len(outline):
        flags, glyph_id = struct.unpack_from(">HH", outline, offset)
        found.append(glyph_id)
        offset += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            offset += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            offset += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            offset += 8
        if not flags & _MORE_COMPONENTS:
            break
    return tuple(found)


@attrs.frozen
class GlyphTable:
    """A TrueType font cut into what a subset is assembled from, once per process."""

    tables: Mapping[str, bytes] = attrs.field(repr=False)
    outlines: tuple[bytes, ...] = attrs.field(repr=False)
    components: Mapping[int, tuple[int, ...]] = attrs.field(repr=False)

    @property
    def glyph_count(self) -> int:
        return len(self.outlines)

    def closure(self, glyph_ids: Iterable[int]) -> set[int]:
        """``glyph_ids`` plus every component glyph they use (and glyph 0, .notdef)."""
        wanted = {0}
        pending = [g for g in glyph_ids if 0 <= g < len(self.outlines)]
        while pending:
            glyph_id = pending.pop()
            if glyph_id in wanted:
                continue
            wanted.add(glyph_id)
            pending.extend(self.components.get(glyph_id, ()))
        return wanted

    def subset(self, glyph_ids: Iterable[int]) -> bytes:
        """A TrueType file with the outlines of ``glyph_ids`` only, glyph ids unchanged."""
        keep = self.closure(glyph_ids)
        glyf = bytearray()
        loca = [0]
        for glyph_id, outline in enumerate(self.outlines):
            if glyph_id in keep and outline:
                glyf += outline
                glyf += b"\0" * (-len(outline) % 4)
            loca.append(len(glyf))
        tables = dict(self.tables)
        tables["glyf"] = bytes(glyf)
        tables["loca"] = struct.pack(f">{len(loca)}I", *loca)
        head = bytearray(tables["head"])
        head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
        head[50:52] = struct.pack(">h", 1)  # indexToLocFormat: long offsets
        tables["head"] = bytes(head)
        font = _assemble(tables)
        adjustment = (0xB1B0AFBA - _checksum(font)) & 0xFFFFFFFF
        head_offset = font.index(b"head") + 8
        (head_start,) = struct.unpack_from(">I", font, head_offset)
        return font[: head_start + 8] + struct.pack(">I", adjustment) + font[head_start + 12 :]


def _assemble(tables: Mapping[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1
    while power * 2 <= count:
        power *= 2
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    directory = bytearray()
    body = bytearray()
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return header + bytes(directory) + bytes(body)


def read_glyph_table(font_file: bytes) -> GlyphTable:
    """Cut a TrueType (``glyf``-outline) font file into a :class:`GlyphTable`."""
    try:
        version, count = struct.unpack_from(">IH", font_file)
        if version not in (0x00010000, 0x74727565):
            raise FontError("not a TrueType font with glyf outlines (CFF and collections are not supported)")
        raw: dict[str, bytes] = {}
        for index in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", font_file, 12 + 16 * index)
            raw[tag.decode("latin-1")] = font_file[offset : offset + length]
        head, maxp = raw["head"], raw["maxp"]
        (long_offsets,) = struct.unpack_from(">h", head, 50)
        (glyph_count,) = struct.unpack_from(">H", maxp, 4)
        loca_raw = raw["loca"]
        if long_offsets:
            offsets = struct.unpack_from(f">{glyph_count + 1}I", loca_raw)
        else:
            offsets = tuple(2 * o for o in struct.unpack_from(f">{glyph_count + 1}H", loca_raw))
        glyf = raw["glyf"]
    except (struct.error, KeyError, UnicodeDecodeError) as error:
        raise FontError(f"cannot read the font's tables: {error}") from None
    outlines = tuple(glyf[offsets[i] : offsets[i + 1]] for i in range(glyph_count))
    components = {i: c for i, outline in enumerate(outlines) if (c := _components(outline))}
    tables = {tag: raw[tag] for tag in KEPT_TABLES if tag in raw}
    return GlyphTable(tables, outlines, components)
