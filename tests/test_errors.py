"""The error tree drawn in localgov.errors is the tree of classes localgov defines."""

from __future__ import annotations

import importlib
import pkgutil
import re
import warnings

import localgov
from localgov.errors import LocalgovError


def _import_everything() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in pkgutil.walk_packages(localgov.__path__, "localgov."):
            importlib.import_module(module.name)


def _error_classes() -> list[type]:
    _import_everything()
    found: list[type] = []

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("localgov."):
                found.append(sub)
                walk(sub)

    walk(LocalgovError)
    return found


def _defined_tree() -> list[tuple[int, str, str]]:
    _import_everything()
    found: list[tuple[int, str, str]] = []

    def walk(cls: type, depth: int) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("localgov."):
                found.append((depth, sub.__name__, ".".join(sub.__module__.split(".")[:2])))
                walk(sub, depth + 1)

    walk(LocalgovError, 1)
    return found


def _drawn_tree() -> list[tuple[int, str, str]]:
    drawn = []
    for line in (localgov.errors.__doc__ or "").splitlines():
        match = re.fullmatch(r"    ((?:    )*)(\w+)\s+(localgov[\w.]*)", line)
        if match and match.group(2) != "LocalgovError":
            drawn.append((len(match.group(1)) // 4, match.group(2), match.group(3)))
    return drawn


def test_the_drawn_tree_is_the_defined_one() -> None:
    assert sorted(_drawn_tree()) == sorted(_defined_tree())


def test_each_error_is_public_in_its_module() -> None:
    private = []
    for cls in _error_classes():
        module = importlib.import_module(cls.__module__)
        if cls.__name__ not in getattr(module, "__all__", ()):
            private.append(f"{cls.__module__}.{cls.__name__}")
    assert private == []
