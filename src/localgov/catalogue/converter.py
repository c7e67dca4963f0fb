"""A strict cattrs converter for definition files, and the paths of what it rejects.

cattrs coerces by default (``5.9 -> 5``, ``123 -> "123"``); a governorate's file must say what it
means, so every scalar hook here checks the TOML type instead. Errors are collected, not raised one
at a time: :func:`structure_entry` returns every problem of one entry with its dotted path.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from localgov.catalogue.problems import Problem, describe_value
from localgov.i18n import LocalizedText

__all__ = ["DefinitionError", "make_converter", "structure_entry"]

T = TypeVar("T")


class DefinitionError(ValueError):
    """Raised by structure hooks; its message is shown to the reader as it is."""


def _expect(kind: str, value: object) -> DefinitionError:
    return DefinitionError(f"expected {kind}, got {describe_value(value)}")


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _expect("a string", value)
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expect("a whole number", value)
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expect("a number", value)
    return float(value)


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _expect("true or false", value)
    return value


def _structure_decimal(value: object, _: type) -> Decimal:
    # Binary floats cannot hold most amounts of money exactly ("0.1"), so money is written as a
    # string or a whole number.
    if isinstance(value, bool | float):
        raise _expect('an amount written as a string ("12.50") or a whole number', value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise _expect("a decimal amount", value) from None
        if not amount.is_finite():
            raise _expect("a finite decimal amount", value)
        return amount
    raise _expect("a decimal amount", value)


def _structure_date(value: object, _: type) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise _expect("a date (YYYY-MM-DD)", value)


def _structure_localized(value: object, _: type) -> LocalizedText:
    if not isinstance(value, dict):
        raise _expect('a table with "ar" and "en" texts', value)
    errors: list[Exception] = []

    def fail(key: str, error: Exception) -> None:
        error.__notes__ = [AttributeValidationNote(f"Structuring LocalizedText @ {key}", key, str)]
        errors.append(error)

    for key in sorted(set(value) - {"ar", "en"}):
        fail(key, DefinitionError("unknown key (allowed here: ar, en)"))
    for lang in ("ar", "en"):
        if lang not in value:
            fail(lang, DefinitionError("missing (required)"))
        elif not isinstance(value[lang], str) or not value[lang].strip():
            fail(lang, _expect("a non-empty text", value[lang]))
    if errors:
        raise ClassValidationError("invalid bilingual text", errors, LocalizedText)
    return LocalizedText(ar=value["ar"].strip(), en=value["en"].strip())


def _enum_hook(enum_type: type[Enum]) -> Callable[[object, type], Enum]:
    allowed = ", ".join(str(member.value) for member in enum_type)

    def structure(value: object, _: type) -> Enum:
        try:
            return enum_type(value)
        except ValueError:
            raise _expect(f"one of {allowed}", value) from None

    return structure


def _tuple_hook(converter: cattrs.Converter) -> Callable[[type], Callable[[object, type], tuple[Any, ...]]]:
    def factory(tuple_type: type) -> Callable[[object, type], tuple[Any, ...]]:
        (item_type, _ellipsis) = tuple_type.__args__  # type: ignore[attr-defined]
        handler = converter.get_structure_hook(item_type)

        def structure(value: object, _: type) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _expect("an array", value)
            items, errors = [], []
            for index, item in enumerate(value):
                try:
                    items.append(handler(item, item_type))
                except Exception as error:  # noqa: BLE001 - regrouped with its index below
                    note = IterableValidationNote(f"Structuring @ index {index}", index, item_type)
                    error.__notes__ = [*getattr(error, "__notes__", []), note]
                    errors.append(error)
            if errors:
                raise IterableValidationError("invalid items", errors, tuple_type)
            return tuple(items)

        return structure

    return factory


def _is_homogeneous_tuple(tp: object) -> bool:
    args = getattr(tp, "__args__", None)
    return getattr(tp, "__origin__", None) is tuple and args is not None and len(args) == 2 and args[1] is Ellipsis


# Keys that are written in files under another name than the attribute's, by class.
_FILE_KEYS: dict[type, dict[str, str]] = {}


def make_converter(
    enums: tuple[type[Enum], ...] = (), renames: dict[type, dict[str, str]] | None = None
) -> cattrs.Converter:
    """A converter that forbids unknown keys and never coerces a scalar to another type.

    ``renames`` maps a class to {attribute: key in the file}, for keys that are Python keywords
    (a workflow action's ``from``).
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(datetime.date, _structure_date)
    converter.register_structure_hook(LocalizedText, _structure_localized)
    # Each enum is registered by name: a str-valued enum would otherwise be caught by the str hook.
    for enum_type in enums:
        converter.register_structure_hook(enum_type, _enum_hook(enum_type))
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(converter))
    for cls, names in (renames or {}).items():
        _FILE_KEYS[cls] = names
        overrides: dict[str, Any] = {attribute: override(rename=key) for attribute, key in names.items()}
        converter.register_structure_hook(
            cls, make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **overrides)
        )
    return converter


def structure_entry(
    converter: cattrs.Converter, data: object, cls: type[T], source: str, path: str
) -> tuple[T | None, list[Problem]]:
    """Structure one entry of a file; return it, or ``None`` and every problem found in it."""
    if not isinstance(data, dict):
        return None, [Problem(source, path, _expect("a table", data).args[0])]
    try:
        return converter.structure(data, cls), []
    except Exception as error:  # noqa: BLE001 - every failure becomes a Problem with a path
        return None, [Problem(source, p, m) for p, m in _walk(error, path)]


def _walk(error: BaseException, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(error, ClassValidationError | IterableValidationError):
        for inner in error.exceptions:
            yield from _walk(inner, _located(inner, path))
        return
    if isinstance(error, ForbiddenExtraKeysError):
        allowed = ", ".join(sorted(_allowed_keys(error.cl)))
        for key in sorted(error.extra_fields):
            yield _join(path, key), f"unknown key (allowed here: {allowed})"
    elif isinstance(error, KeyError):
        yield path, "missing (required)"
    elif isinstance(error, DefinitionError):
        yield path, str(error)
    elif isinstance(error, TypeError | ValueError | AttributeError):
        yield path, f"invalid value ({error})"
    else:
        yield path, f"{type(error).__name__}: {error}"


def _located(error: BaseException, path: str) -> str:
    """Extend ``path`` with the attribute name or index cattrs noted on ``error``."""
    for note in getattr(error, "__notes__", []):
        name = getattr(note, "name", None)
        if name is not None:
            return _join(path, str(name))
        index = getattr(note, "index", None)
        if index is not None:
            return f"{path}[{index}]"
    return path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _allowed_keys(cls: type) -> set[str]:
    import attrs

    if not attrs.has(cls):
        return set()
    renamed = _FILE_KEYS.get(cls, {})
    return {renamed.get(a.name, a.name) for a in attrs.fields(cls)} - {"code"}
