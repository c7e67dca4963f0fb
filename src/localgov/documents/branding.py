"""A governorate's look on its documents: logo, header lines, who signs, an accent colour.

Plugins supply it through the ``document_branding`` hook; without one, documents carry a plain
header naming the republic, the governorate and the unit.
"""

from __future__ import annotations

from typing import Any

import attrs

from localgov.documents.errors import DocumentError
from localgov.i18n import LocalizedText
from localgov.organisation import Governorate, LocalUnit

__all__ = ["REPUBLIC", "DocumentBranding", "branding_for", "default_branding"]

REPUBLIC = LocalizedText("جمهورية مصر العربية", "Arab Republic of Egypt")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_logo(instance: object, attribute: attrs.Attribute[bytes | None], value: bytes | None) -> None:
    if value is not None and not value.startswith(_PNG_SIGNATURE):
        raise DocumentError("branding logo must be a PNG image")


def _check_colour(
    instance: object, attribute: attrs.Attribute[tuple[float, float, float]], value: tuple[float, float, float]
) -> None:
    if len(value) != 3 or not all(0 <= part <= 1 for part in value):
        raise DocumentError(f"branding {attribute.name} must be three numbers from 0 to 1, not {value!r}")


@attrs.frozen
class DocumentBranding:
    """What a governorate prints at the top and bottom of its documents.

    ``header`` lines are printed Arabic on the right, English on the left, top to bottom;
    ``signatory`` is the title printed under the signature (the head of the unit, say).
    """

    header: tuple[LocalizedText, ...]
    signatory: LocalizedText
    logo_png: bytes | None = attrs.field(default=None, validator=_check_logo, repr=False)
    accent: tuple[float, float, float] = attrs.field(default=(0.05, 0.30, 0.45), validator=_check_colour)


def default_branding(governorate: Governorate, unit: LocalUnit) -> DocumentBranding:
    """The plain header: republic, governorate, unit; signed for the head of the unit."""
    return DocumentBranding(
        header=(
            REPUBLIC,
            LocalizedText(f"محافظة {governorate.name.ar}", f"{governorate.name.en} Governorate"),
            unit.name,
        ),
        signatory=LocalizedText(f"رئيس {unit.name.ar}", f"Head of {unit.name.en}"),
    )


def branding_for(hook: Any, governorate: Governorate, unit: LocalUnit) -> DocumentBranding:
    """Ask the plugins (``hook`` is ``app.plugins.hook``); fall back to :func:`default_branding`."""
    answer = hook.document_branding(governorate=governorate, unit=unit) if hook is not None else None
    if answer is None:
        return default_branding(governorate, unit)
    if not isinstance(answer, DocumentBranding):
        raise DocumentError(f"document_branding returned {type(answer).__name__}, not DocumentBranding")
    return answer
