"""Open311's XML format: the same documents as the JSON ones, for clients that ask for ``.xml``.

GeoReport v2's XML wraps a list in a plural element whose items are the singular
(``<services><service>...``); a nested record is an element of its fields (``<names><ar>..``).
Built with :mod:`xml.etree`, which escapes text, so a value cannot inject markup.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

import msgspec
from litestar import Response

__all__ = ["XML", "xml_response"]

XML = "application/xml"

# The item element of each list, where dropping a final "s" would not give it.
_ITEMS = {"service_requests": "request", "attributes": "attribute", "values": "value", "errors": "error"}


def _add(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _add(element, str(key), item)
    elif isinstance(value, list):
        for item in value:
            _add(element, _ITEMS.get(name, name.removesuffix("s") or "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = value.isoformat() if isinstance(value, datetime.date) else str(value)


def xml_response(
    document: Any, root: str, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response[bytes]:
    """``document`` (a structure or a list of them) as Open311 XML under ``root``."""
    builtins = msgspec.to_builtins(document)
    top = ElementTree.Element(root)
    if isinstance(builtins, list):
        item = _ITEMS.get(root, root.removesuffix("s"))
        for entry in builtins:
            _add(top, item, entry)
    else:
        for key, value in builtins.items():
            _add(top, str(key), value)
    body = ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)
    return Response(content=body, media_type=XML, status_code=status_code, headers=headers)
