"""Requests to and from JSON-ready data, for storage. Exact: money stays Decimal, dates stay dates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import cattrs

from localgov.i18n import LocalizedText
from localgov.requests.model import Request

__all__ = ["request_from_data", "request_to_data"]

_converter = cattrs.Converter()
_converter.register_unstructure_hook(Decimal, str)
_converter.register_structure_hook(Decimal, lambda value, _: Decimal(value))
_converter.register_unstructure_hook(datetime.datetime, datetime.datetime.isoformat)
_converter.register_structure_hook(datetime.datetime, lambda value, _: datetime.datetime.fromisoformat(value))
_converter.register_unstructure_hook(datetime.date, datetime.date.isoformat)
_converter.register_structure_hook(datetime.date, lambda value, _: datetime.date.fromisoformat(value))
_converter.register_unstructure_hook(LocalizedText, lambda text: {"ar": text.ar, "en": text.en})
_converter.register_structure_hook(LocalizedText, lambda value, _: LocalizedText(value["ar"], value["en"]))


def request_to_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = _converter.unstructure(request)
    return data


def request_from_data(data: Any) -> Request:
    return _converter.structure(data, Request)
