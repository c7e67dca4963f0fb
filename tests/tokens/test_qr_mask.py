"""The QR mask is chosen as segno chooses it: the same points for every mask, the same symbol."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.version import Version
from segno import encoder

from localgov.tokens import qr_mask
from localgov.tokens.qr import make_qr
from localgov.tokens.qr_mask import make_with_best_mask, mask_penalties

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

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


# qr_mask reads segno internals: pinned to the minor release tested, and checked here.


def _segno_pin(requirements: list[str]) -> Requirement:
    found = [Requirement(line) for line in requirements if Requirement(line).name == "segno"]
    assert len(found) == 1, f"expected one segno requirement, found {found}"
    return found[0]


def test_the_installed_segno_is_within_localgovs_pin() -> None:
    pin = _segno_pin(importlib.metadata.requires("localgov") or [])
    # An upper bound: the internals may change in the next minor release.
    assert any(spec.operator in ("<", "<=", "==", "~=") for spec in pin.specifier), pin
    installed = Version(importlib.metadata.version("segno"))
    assert pin.specifier.contains(installed, prereleases=True), (
        f"segno {installed} is installed, localgov pins {pin.specifier}: check qr_mask against "
        "it (these tests) and move the pin, or install a segno within it"
    )


def test_the_installed_pin_is_the_one_in_pyproject() -> None:
    # Package metadata is written at install time; a stale one would test an old pin.
    declared = _segno_pin(tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["dependencies"])
    installed = _segno_pin(importlib.metadata.requires("localgov") or [])
    assert installed.specifier == declared.specifier, "reinstall: pip install -e '.[test]'"


@pytest.mark.parametrize(("length", "error"), [(5, "l"), (120, "q"), (160, "h"), (350, "q"), (1200, "m")])
def test_redrawing_segnos_mask_0_symbol_with_each_mask_is_segnos_symbol(length: int, error: str) -> None:
    # Every segno internal qr_mask uses, on each mask (the hypothesis tests reach only the
    # masks segno happens to choose), versions 1 to 23 (from 7 on with version information).
    text = ("LG1:" + "6BFOXN*TS0BI$ZDFRH" * 70)[:length]
    first = encoder.encode(text, error=error, mask=0, micro=False, boost_error=False)
    for mask in range(1, 8):
        mine, segnos = qr_mask._remasked(first, mask), segno_symbol(text, error, mask)
        assert (mine.mask, mine.version, mine.error) == (segnos.mask, segnos.version, segnos.error)
        assert [bytes(row) for row in mine.matrix] == [bytes(row) for row in segnos.matrix], mask
