"""Cairo governorate (محافظة القاهرة) for localgov.

The plugin registers data files: the organisation (4 zones, 38 districts, the technology
centers of the first phase and the mobile district) and the catalogue entries Cairo adds to the
core ones (its services, fee rules, document types, a role and the ``burial_allocation`` workflow).
Everything is plain TOML under ``data/`` so the governorate can review it without reading Python.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from localgov.catalogue.sources import DefinitionSource
from localgov.plugins.hookspecs import hookimpl

__all__ = [
    "CATALOGUE_SOURCES",
    "DATA",
    "ORGANISATION_SOURCES",
    "document_branding",
    "emblem_png",
    "register_catalogue",
    "register_organisation",
]

DATA: Traversable = files(__name__) / "data"

# Listed rather than registering ``data/`` whole: organisation.toml is not a catalogue file.
CATALOGUE_SOURCES: tuple[Traversable, ...] = (
    DATA / "common.toml",
    DATA / "workflows.toml",
    DATA / "services",
)
ORGANISATION_SOURCES: tuple[Traversable, ...] = (DATA / "organisation.toml",)


@hookimpl
def register_catalogue(register: Callable[[DefinitionSource], None]) -> None:
    for source in CATALOGUE_SOURCES:
        register(source)


@hookimpl
def register_organisation(register: Callable[[DefinitionSource], None]) -> None:
    for source in ORGANISATION_SOURCES:
        register(source)


@functools.cache
def emblem_png(size: int = 256) -> bytes:
    """The plugin's document emblem: a simple geometric badge drawn here (no official logo).

    A navy disc in a gold ring with a white tower, the Cairo Tower's outline reduced to a few
    strokes. A governorate replaces it with its own emblem through the same hook.
    """
    from PIL import Image, ImageDraw

    scale = 4  # draw large and shrink, for smooth edges
    canvas = size * scale
    image = Image.new("RGBA", (canvas, canvas), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    navy, gold, white = (13, 77, 115, 255), (196, 154, 60, 255), (255, 255, 255, 255)
    draw.ellipse((0, 0, canvas - 1, canvas - 1), fill=gold)
    ring = canvas // 14
    draw.ellipse((ring, ring, canvas - ring - 1, canvas - ring - 1), fill=navy)
    middle = canvas // 2
    shaft_top, shaft_bottom = canvas * 30 // 100, canvas * 80 // 100
    draw.polygon(
        [
            (middle - canvas // 40, shaft_top),
            (middle + canvas // 40, shaft_top),
            (middle + canvas // 18, shaft_bottom),
            (middle - canvas // 18, shaft_bottom),
        ],
        fill=white,
    )
    head = canvas // 11
    draw.ellipse((middle - head, shaft_top - head, middle + head, shaft_top + head // 2), fill=white)
    draw.line((middle, shaft_top - 2 * head, middle, shaft_top - head), fill=white, width=canvas // 90)
    draw.rectangle((middle - canvas // 5, shaft_bottom, middle + canvas // 5, shaft_bottom + canvas // 40), fill=gold)
    buffer = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@hookimpl
def document_branding(governorate: Any, unit: Any) -> Any:
    """Cairo's header and signatory on the documents its districts issue."""
    if governorate.code != "C":
        return None
    from localgov.documents import DocumentBranding
    from localgov.i18n import LocalizedText

    return DocumentBranding(
        header=(
            LocalizedText("جمهورية مصر العربية", "Arab Republic of Egypt"),
            LocalizedText("محافظة القاهرة", "Cairo Governorate"),
            LocalizedText(unit.name.ar, unit.name.en),
        ),
        signatory=LocalizedText(f"رئيس {unit.name.ar}", f"Head of {unit.name.en}"),
        logo_png=emblem_png(),
        accent=(0.05, 0.30, 0.45),
    )
