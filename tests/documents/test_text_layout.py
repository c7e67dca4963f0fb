"""Bidi runs, shaping and font subsets: the parts that make Arabic right."""

from __future__ import annotations

import io
import unicodedata

from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.documents.bidi import isolate_ltr, strip_controls, visual_runs
from localgov.documents.fonts import load_face
from localgov.documents.text import lay_out, wrap

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى"
TEXT_ALPHABET = ARABIC + "abcXYZ0123456789٠١٢٣٤٥٦٧٨٩ /-.,:()،\u2066\u2069"


def test_an_isolated_permit_number_keeps_its_written_order() -> None:
    runs = visual_runs(f"رقم الترخيص {isolate_ltr('2026/ZTN/000123')} صادر")
    assert ("2026/ZTN/000123", False) in runs
    # Drawn left to right: the Arabic after the number, the number, the Arabic before it.
    assert [text for text, _ in runs] == [" صادر", "2026/ZTN/000123", "رقم الترخيص "]


def test_without_an_isolate_the_algorithm_splits_the_number() -> None:
    runs = visual_runs("رقم الترخيص 2026/ZTN/000123 صادر")
    assert ("2026/ZTN/000123", False) not in runs
    assert "".join(text for text, _ in runs if not _) != "2026/ZTN/000123"


def test_a_latin_name_and_an_amount_stay_whole() -> None:
    runs = visual_runs(f"السيد {isolate_ltr('John Smith')} دفع {isolate_ltr('1,250.50 EGP')}")
    assert ("John Smith", False) in runs and ("1,250.50 EGP", False) in runs


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, max_size=40), st.booleans())
def test_runs_lose_no_character(text: str, rtl_base: bool) -> None:
    runs = visual_runs(text, rtl_base)
    drawn = "".join(run for run, _ in runs)
    assert sorted(drawn) == sorted(strip_controls(text))


def test_arabic_letters_take_their_joined_forms() -> None:
    face = load_face()
    line = lay_out(face, "محمد")
    isolated = {face.shape(letter, rtl=True)[0].glyph_id for letter in "محمد"}
    assert len(line.glyphs) == 4
    assert not {g.glyph_id for g in line.glyphs} & isolated


def test_lam_alef_ligature_records_its_letters_in_visual_order() -> None:
    line = lay_out(load_face(), "لا")
    assert len(line.glyphs) == 1
    assert line.glyphs[0].text == "ال"


def test_wrap_never_breaks_inside_an_isolate() -> None:
    face = load_face()
    text = "الاسم " + isolate_ltr("John Ronald Reuel Tolkien") + " " + "كلمة " * 12
    lines = wrap(face, text, 11, 120)
    assert len(lines) > 1
    assert any("John Ronald Reuel Tolkien" in line.logical_text for line in lines)


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=ARABIC + "abc 123", min_size=1, max_size=30))
def test_a_subset_keeps_glyph_ids_and_outlines(text: str) -> None:
    face = load_face()
    used = {g.glyph_id for g in lay_out(face, text).glyphs}
    subset = TTFont(io.BytesIO(face.glyphs.subset(used)))
    original = face.glyphs
    assert subset["maxp"].numGlyphs == original.glyph_count
    glyf = subset["glyf"]
    order = subset.getGlyphOrder()
    for glyph_id in range(original.glyph_count):
        kept = glyph_id in original.closure(used)
        assert (glyf[order[glyph_id]].numberOfContours != 0) == (kept and bool(original.outlines[glyph_id]))


def test_eastern_digits_are_arabic_numbers_not_letters() -> None:
    assert unicodedata.bidirectional("٢") == "AN"
    runs = visual_runs("العنوان ١٢ شارع")
    assert ("١٢", False) in runs
