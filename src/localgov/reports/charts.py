"""Bar charts for the PDF report, drawn by matplotlib with Arabic labels, right to left.

Matplotlib 3.11 lays text out with libraqm: it shapes Arabic (joined letter forms) and orders it
right to left itself. Labels are therefore passed as they are. Reshaping them first with
arabic_reshaper and python-bidi, as older matplotlib needed, would reverse them a second time
(checked on a rendered page: the letters come out unjoined and backwards).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import fontpkg
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator

from localgov.documents.fonts import FAMILY
from localgov.i18n import to_eastern_digits

__all__ = ["bar_chart"]

_BLUE, _GREEN, _GREY = "#1f5f8b", "#3a8d5c", "#9aa5ad"


def _font() -> FontProperties:
    # The face the PDF's own text uses (the documents' font package), so chart and page match.
    path = str(fontpkg.path(FAMILY, 400))
    font_manager.fontManager.addfont(path)
    return FontProperties(fname=path)


def _eastern(value: float, _position: object = None) -> str:
    text = f"{value:g}"
    return to_eastern_digits(text).replace(".", "٫")


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    width_inches: float = 10.5,
    height_inches: float = 3.4,
    dpi: int = 200,
) -> bytes:
    """A PNG of grouped bars: one group per category, one bar per series, first category on the right.

    More than six categories (states, employees) are drawn as horizontal bars, names on the
    right and bars growing leftwards, so long Arabic names need not overlap.
    """
    font = _font()
    # A Figure of its own, not pyplot's global state: nothing is shown, and calls do not share it.
    figure = Figure(figsize=(width_inches, height_inches), dpi=dpi)
    axes = figure.add_subplot()
    count = max(len(series), 1)
    bar = 0.8 / count
    colours = (_BLUE, _GREEN, _GREY)
    horizontal = len(categories) > 6
    whole = all(float(v).is_integer() for _, values in series for v in values)
    for number, (name, values) in enumerate(series):
        positions = [i + (number - (count - 1) / 2) * bar for i in range(len(categories))]
        colour = colours[number % len(colours)]
        if horizontal:
            bars = axes.barh(positions, values, bar * 0.92, label=name, color=colour)
        else:
            bars = axes.bar(positions, values, bar * 0.92, label=name, color=colour)
        axes.bar_label(bars, labels=[_eastern(v) for v in values], fontproperties=font, fontsize=7, padding=2)
    figures = axes.xaxis if horizontal else axes.yaxis
    if horizontal:
        axes.set_yticks(range(len(categories)), list(categories), fontproperties=font, fontsize=8)
        axes.invert_yaxis()  # the first category on top
        axes.yaxis.tick_right()
    else:
        axes.set_xticks(range(len(categories)), list(categories), fontproperties=font, fontsize=8)
        axes.yaxis.tick_right()
    axes.invert_xaxis()  # Arabic reads from the right: categories (or bars) start there
    figures.set_major_formatter(FuncFormatter(_eastern))
    if whole:
        figures.set_major_locator(MaxNLocator(integer=True))
    for label in figures.get_ticklabels():
        label.set_fontproperties(font)
    axes.set_title(title, fontproperties=font, fontsize=11, loc="right")
    axes.spines[["top", "left"]].set_visible(False)
    if horizontal:
        figure.set_figheight(max(height_inches, 0.32 * len(categories) + 0.8))
    if len(series) > 1:
        axes.legend(prop=font, fontsize=8, loc="upper left", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
