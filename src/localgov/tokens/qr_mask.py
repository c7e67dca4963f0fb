"""Choosing a QR symbol's mask pattern: segno's choice, made in a fraction of its time.

ISO/IEC 18004 (7.8.3) has the encoder try the eight data masks and keep the one whose symbol
scores the fewest penalty points: runs of five or more modules of one colour (N1), 2×2 blocks of
one colour (N2), finder-like 1:1:3:1:1 patterns beside four light modules (N3) and a dark
proportion far from half (N4). segno scores each mask module by module in Python, about 10 ms
for the version 13 symbol of a permit, more than the rest of the symbol and half a permit's
rendering beside its signature. Here the same points are counted a row at a time in C: rows
are byte strings (one byte a module) searched with regular expressions and ``bytes.find``, and
the same rows read as integers give the 2×2 blocks with a few bitwise operations. The points are
segno's own (its reading of N3 included) and ties go to the lower mask, as in segno, so the
symbol drawn with the mask chosen here is the one segno would have drawn; the tests hold the
two to the same choice.

This reads segno's internals (``segno.encoder``: ``encode``, ``make_matrix``, the pattern and
format-information writers, the mask functions; ``QRCode`` built from an encoded code), which
any segno release may change: pyproject.toml pins segno to the minor release tested, and
``tests/tokens/test_qr_mask.py`` fails when the installed segno is outside that pin.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Sequence
from typing import Any

import segno
from segno import encoder as _encoder

# segno's encoder is untyped, and its typing declares QRCode without the ``code`` its
# constructor takes.
encoder: Any = _encoder
_QRCode: Any = segno.QRCode

__all__ = ["make_with_best_mask", "mask_penalties"]

_MASKS = 8
_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
_FINDER_LIKE = b"\x01\x00\x01\x01\x01\x00\x01"


@functools.cache
def _layout(width: int) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """For a symbol ``width`` modules wide, as integers of its rows (one byte a module):

    which modules the evaluation sees as they are (format and version areas read as light
    then, before they are written), and for each mask what turns mask 0's symbol into that
    mask's (mask 0 and mask k applied to the data modules together).
    """
    function = encoder.make_matrix(width, width)  # 0x2 where data goes
    encoder.add_finder_patterns(function, width, width)
    encoder.add_alignment_patterns(function, width, width)
    function[-8][8] = 0x1  # the dark module
    reserved = encoder.make_matrix(width, width)  # 0x0 on format and version areas
    patterns = encoder.get_data_mask_functions(False)
    kept = tuple(_row_int(bytes(0 if cell == 0 else 1 for cell in row)) for row in reserved)
    flips = tuple(
        tuple(
            _row_int(
                bytes((patterns[0](i, j) ^ patterns[k](i, j)) if function[i][j] > 0x1 else 0 for j in range(width))
            )
            for i in range(width)
        )
        for k in range(_MASKS)
    )
    return kept, flips


def _row_int(row: bytes) -> int:
    return int.from_bytes(row, "big")


def make_with_best_mask(text: str, *, error: str) -> segno.QRCode:
    """The QR symbol (never Micro QR) for ``text`` at ``error``, with the mask segno would choose.

    The symbol is encoded once, with mask 0; the mask chosen replaces it on the data modules,
    and the format information is written again for it.
    """
    first = encoder.encode(text, error=error, mask=0, micro=False, boost_error=False)
    penalties = mask_penalties(first.matrix)
    mask = penalties.index(min(penalties))  # the first of the lowest, as segno takes
    if mask == 0:
        return typing.cast(segno.QRCode, _QRCode(first))
    return _remasked(first, mask)


def _remasked(first: Any, mask: int) -> segno.QRCode:
    """The symbol of segno's encoded ``first`` (drawn with mask 0) redrawn with ``mask``."""
    width = len(first.matrix)
    _, flips = _layout(width)
    matrix = tuple(
        bytearray((_row_int(bytes(row)) ^ flip).to_bytes(width, "big"))
        for row, flip in zip(first.matrix, flips[mask], strict=True)
    )
    encoder.add_format_info(matrix, first.version, first.error, mask)
    return typing.cast(segno.QRCode, _QRCode(first._replace(matrix=matrix, mask=mask)))


def mask_penalties(matrix: Sequence[bytes | bytearray]) -> list[int]:
    """The penalty points of each of the eight masks for a QR symbol's ``matrix`` drawn with mask 0."""
    width = len(matrix)
    kept, flips = _layout(width)
    base = [_row_int(bytes(row)) & keep for row, keep in zip(matrix, kept, strict=True)]
    return [_penalty([row ^ flip for row, flip in zip(base, flips[k], strict=True)], width) for k in range(_MASKS)]


def _penalty(rows: Sequence[int], width: int) -> int:
    row_bytes = [row.to_bytes(width, "big") for row in rows]
    column_bytes = [bytes(column) for column in zip(*row_bytes, strict=True)]
    runs = sum(len(run) - 2 for line in (*row_bytes, *column_bytes) for run in _RUN.findall(line))
    blocks = 3 * _same_colour_blocks(rows, width)
    finder_like = sum(_finder_like(line, width) for line in (*row_bytes, *column_bytes))
    dark = sum(line.count(1) for line in row_bytes)
    proportion = 10 * int(abs(float(dark) / (width * width) * 100 - 50) / 5)
    return runs + blocks + finder_like + proportion


def _same_colour_blocks(rows: Sequence[int], width: int) -> int:
    """2×2 blocks of one colour: each module equal to its left neighbour and both to the row above."""
    # One byte a module, the first module in the highest byte: shifting by 8 bits sets each
    # module beside its left neighbour; the first module has none, so its byte is left out.
    inner = _row_int(b"\x00" + b"\x01" * (width - 1))
    blocks = 0
    previous = rows[0]
    previous_steps = previous ^ (previous >> 8)
    for row in rows[1:]:
        steps = row ^ (row >> 8)
        differs = (steps | previous_steps | (row ^ previous)) & inner
        blocks += width - 1 - differs.bit_count()
        previous, previous_steps = row, steps
    return blocks


def _finder_like(line: bytes, width: int) -> int:
    """N3 as segno reads it: the pattern at an edge, or with four light modules before or after."""
    points = 0
    found = line.find(_FINDER_LIKE)
    while found != -1:
        after = found + 7
        if found in (0, width - 7) or not any(line[max(found - 4, 0) : found]) or not any(line[after : after + 4]):
            points += 40
        else:
            after = found + 4  # not counted: the next one may start inside this one
        found = line.find(_FINDER_LIKE, after)
    return points
