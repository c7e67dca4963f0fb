"""Requests to and from JSON-ready data, for storage. Exact: money stays Decimal, dates stay dates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, get_args, get_origin

import cattrs
from cattrs.cols import homogenous_tuple_structure_factory

from localgov.i18n import LocalizedText
from localgov.requests.model import Request

__all__ = ["request_from_data", "request_to_data"]

# The records read here were written by request_to_data: a per-field error report (detailed
# validation) would only slow down every read of a request.
_converter = cattrs.Converter(detailed_validation=False)


def _is_homogeneous_tuple(type_: Any) -> bool:
    arguments = get_args(type_)
    return get_origin(type_) is tuple and len(arguments) == 2 and arguments[1] is Ellipsis


# ``tuple[X, ...]`` through a hook made for its element type, not cattrs' generic tuple handling.
_converter.register_structure_hook_factory(_is_homogeneous_tuple, homogenous_tuple_structure_factory)
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
