"""Right-to-left and left-to-right runs of a line, in the order they are drawn.

The Unicode Bidirectional Algorithm (UAX #9) gives every character an embedding level; a line is
cut into runs of one level, each run is shaped on its own in its own direction, and the runs are
put in visual order by rule L2. The algorithm itself comes from fpdf2's implementation
(:mod:`fpdf.bidi`, tested against the Unicode conformance files); this module adds what the
documents need around it.

Left to itself, the algorithm reorders a permit number in an Arabic sentence: in
``رقم الترخيص 2026/ZTN/000123`` the digits and the Latin letters are separate runs and the slashes
take the Arabic direction, so it shows as ``000123/ZTN/2026``. Anything written left to right
as one piece (numbers, codes, Latin names, amounts) is therefore wrapped in a left-to-right
isolate (U+2066 ... U+2069) with :func:`isolate_ltr`: an isolate is ordered as a single neutral
character in its sentence and keeps its own order inside.
"""

from __future__ import annotations

import functools
import unicodedata

from fpdf.bidi import BidiParagraph
from fpdf.enums import TextDirection

__all__ = ["FSI", "LRI", "PDI", "RLI", "isolate_ltr", "isolate_rtl", "strip_controls", "visual_runs"]

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
# Explicit formatting characters: they steer the algorithm and are never drawn.
_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTROL_CLASSES = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"})
# Classes that never start a left-to-right run inside right-to-left text.
_RTL_SAFE = frozenset({"R", "AL", "WS", "ON", "CS", "NSM", "ES", "ET", "B", "S"})


def strip_controls(text: str) -> str:
    """``text`` without bidi formatting characters (what a caller may not smuggle in)."""
    return "".join(ch for ch in text if ch not in _CONTROLS)


def isolate_ltr(text: str) -> str:
    """``text`` as one left-to-right piece wherever it is placed (its own controls removed)."""
    return f"{LRI}{strip_controls(text)}{PDI}"


def isolate_rtl(text: str) -> str:
    """``text`` as one right-to-left piece wherever it is placed (its own controls removed)."""
    return f"{RLI}{strip_controls(text)}{PDI}"


@functools.lru_cache(maxsize=4096)
def visual_runs(text: str, rtl_base: bool = True) -> tuple[tuple[str, bool], ...]:
    """``(run text, is right-to-left)`` pairs in drawing order, left to right.

    Each run's text is in logical order (the order to shape it in); formatting characters are
    dropped. Lines repeat from document to document (labels), so results are cached.
    """
    if not text:
        return ()
    classes = [unicodedata.bidirectional(ch) for ch in text]
    if rtl_base and all(c in _RTL_SAFE for c in classes):
        return ((text, True),)
    if not rtl_base and all(c in ("L", "WS", "ON", "CS", "ES", "ET", "S") for c in classes):
        return ((text, False),)
    paragraph = BidiParagraph(text, base_direction=TextDirection.RTL if rtl_base else TextDirection.LTR)
    characters = paragraph.get_characters_with_embedding_level()
    runs: list[tuple[int, list[str]]] = []
    for character in characters:
        if character.original_bidi_class in _CONTROL_CLASSES:
            continue
        level = character.embedding_level
        if runs and runs[-1][0] == level:
            runs[-1][1].append(character.character)
        else:
            runs.append((level, [character.character]))
    if not runs:
        return ()
    levels = [level for level, _ in runs]
    order = list(range(len(runs)))
    lowest_odd = min((lvl for lvl in levels if lvl % 2), default=max(levels) + 1)
    # Rule L2 on whole runs: from the highest level down to the lowest odd one, reverse every
    # sequence of runs at that level or above.
    for level in range(max(levels), lowest_odd - 1, -1):
        start = None
        for position in range(len(order) + 1):
            inside = position < len(order) and levels[order[position]] >= level
            if inside and start is None:
                start = position
            elif not inside and start is not None:
                order[start:position] = reversed(order[start:position])
                start = None
    return tuple(("".join(runs[i][1]), levels[i] % 2 == 1) for i in order)
