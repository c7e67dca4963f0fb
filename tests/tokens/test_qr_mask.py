"""The QR mask is chosen as segno chooses it: the same points for every mask, the same symbol."""

from __future__ import annotations

import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from segno import encoder

from localgov.tokens.qr import make_qr
from localgov.tokens.qr_mask import make_with_best_mask, mask_penalties

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
texts = st.one_of(
    st.text(ALPHANUMERIC, min_size=1, max_size=900),  # tokens: Base45 in alphanumeric mode
    st.text(min_size=1, max_size=300),  # links and anything else, Arabic included, in byte mode
)
levels = st.sampled_from("lmqh")


def segno_symbol(text: str, error: str, mask: int | None = None) -> segno.QRCode:
    return segno.make(text, error=error, micro=False, boost_error=False, mask=mask)


def as_evaluated(symbol: segno.QRCode) -> list[bytearray]:
    """The matrix as segno scores it: format and version areas still light."""
    reserved = encoder.make_matrix(len(symbol.matrix), len(symbol.matrix))
    return [
        bytearray(0 if mark == 0 else cell for cell, mark in zip(row, marks, strict=True))
        for row, marks in zip(symbol.matrix, reserved, strict=True)
    ]


@settings(max_examples=60, deadline=None)
@given(texts, levels)
def test_every_masks_points_are_segnos(text: str, error: str) -> None:
    first = segno_symbol(text, error, mask=0)
    expected = [
        encoder.evaluate_mask(as_evaluated(segno_symbol(text, error, mask)), len(first.matrix), len(first.matrix))
        for mask in range(8)
    ]
    assert mask_penalties(first.matrix) == expected


@settings(max_examples=150, deadline=None)
@given(texts, levels)
def test_the_symbol_is_the_one_segno_draws(text: str, error: str) -> None:
    mine, segnos = make_with_best_mask(text, error=error), segno_symbol(text, error)
    assert (mine.mask, mine.version, mine.error) == (segnos.mask, segnos.version, segnos.error)
    assert [bytes(row) for row in mine.matrix] == [bytes(row) for row in segnos.matrix]


def test_make_qr_chooses_the_mask_unless_told() -> None:
    token = "LG1:" + "6BFOXN*TS0BI$ZDFRH" * 19  # about a permit's length: version 13 at Q
    chosen = make_qr(token)
    assert chosen.version == 13 and chosen.mask == segno_symbol(token, "q").mask
    assert make_qr(token, mask=5).mask == 5
