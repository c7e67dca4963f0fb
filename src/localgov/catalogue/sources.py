"""Reading definition files: TOML from the file system or from a plugin's package data."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeAlias

from localgov.catalogue.problems import Problem, describe_value

__all__ = ["DefinitionSource", "definition_files", "display_name", "expand_sources", "read_toml", "table_entries"]

DefinitionSource: TypeAlias = "str | os.PathLike[str] | Traversable"

# A definition file is reviewed by people; a multi-megabyte one is a mistake, not a catalogue.
MAX_FILE_BYTES = 4 * 1024 * 1024


def display_name(source: DefinitionSource) -> str:
    """The name a problem report uses for ``source``: relative to the working directory if inside it."""
    text = os.fspath(source) if isinstance(source, str | os.PathLike) else str(source)
    try:
        return str(Path(text).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return text


def expand_sources(sources: Iterable[DefinitionSource]) -> Iterator[DefinitionSource]:
    """Files as given, and every ``*.toml`` under a given folder, in a stable order, each once.

    A file named twice (directly and through its folder, or by a plugin and on the command line)
    is read once, so it is not reported as redefining its own entries.
    """
    seen: set[str] = set()
    for entry in _expand(sources):
        key = os.path.realpath(str(entry)) if isinstance(entry, Path) else str(entry)
        if key not in seen:
            seen.add(key)
            yield entry


def _expand(sources: Iterable[DefinitionSource]) -> Iterator[DefinitionSource]:
    for source in sources:
        entry: Traversable = Path(source) if isinstance(source, str | os.PathLike) else source
        if entry.is_dir():
            yield from _expand(sorted(_toml_files(entry), key=str))
        else:
            yield entry


def _toml_files(folder: Traversable) -> Iterator[Traversable]:
    for child in folder.iterdir():
        if child.is_dir():
            yield from _toml_files(child)
        elif child.name.endswith(".toml"):
            yield child


def read_toml(source: DefinitionSource) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse one file; a file that cannot be read or parsed is a problem, not an exception."""
    name = display_name(source)
    entry: Traversable = Path(source) if isinstance(source, str | os.PathLike) else source
    try:
        with entry.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(name, "", "file not found")]
    except OSError as error:
        return None, [Problem(name, "", f"cannot be read ({error.strerror or error})")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(name, "", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(name, "", f"not UTF-8 text (byte {error.start})")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(name, "", f"not valid TOML: {error}")]
    except RecursionError:
        return None, [Problem(name, "", "not valid TOML: nested too deeply")]


def definition_files(
    sources: Iterable[DefinitionSource], problems: list[Problem]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each readable file of ``sources`` as (its display name, its parsed document); a file that
    cannot be read or parsed adds its problems to ``problems`` and is skipped."""
    for source in expand_sources(sources):
        document, read_problems = read_toml(source)
        problems += read_problems
        if document is not None:
            yield display_name(source), document


def table_entries(
    name: str,
    document: dict[str, Any],
    sections: Iterable[str],
    problems: list[Problem],
    *,
    header: Iterable[str] = (),
    entries: str = "entries",
) -> Iterator[tuple[str, str, object, str]]:
    """Each entry of a definition file's sections as (section, code, data, path).

    A key that is neither a known section nor a ``header`` key, and a section that is not a table,
    add a problem naming the file and the key.
    """
    known, headers = list(sections), set(header)
    for section, table in document.items():
        if section in headers:
            continue
        if section not in known:
            allowed = ", ".join([*header, *known])
            problems.append(Problem(name, section, f"unknown section (allowed: {allowed})"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(name, section, f"expected a table of {entries}, got {describe_value(table)}"))
            continue
        for code, data in table.items():
            yield section, code, data, f"{section}.{code}"
