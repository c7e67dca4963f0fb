"""Reading :class:`WebSettings` from a TOML file, every problem named with the file and the key.

::

    public_url = "https://services.cairo.gov.eg"
    trust_list = "trust-list.cose"          # relative paths are read from the file's folder
    revocations = "revocations.cose"
    root_certificate = "root.pem"
    max_body = 20971520
    permit_log = true                        # serve the permit log kept in the same database
    log_public_key = "log.pub"               # its key (localgov log keygen): the page checks proofs
    shared_limits = true                     # wrong access codes counted across workers
    reports_max_age = 300                    # reports answer from a projection up to 5 min old

    [api_keys]                               # SHA-256 of each key (localgov serve --hash-key)
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" = "zeitoun-reviewer-1"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from localgov.web.settings import WebSettings, WebSettingsError

__all__ = ["load_web_settings"]

# Each path setting, and whether it names a file or a folder.
_PATHS = {
    "trust_list": "file",
    "revocations": "file",
    "root_certificate": "file",
    "log_public_key": "file",
    "revocation_deltas": "folder",
}
_NUMBERS = {
    "max_body": int,
    "access_code_tries": int,
    "access_code_window": float,
    "requests_per_minute": int,
    "status_answers_kept": int,
    "reports_max_age": float,
}
_FLAGS = ("permit_log", "shared_limits")
_KNOWN = {"public_url", "api_keys", *_FLAGS, *_PATHS, *_NUMBERS}


def load_web_settings(path: Path) -> WebSettings:
    """The settings in ``path``; :class:`WebSettingsError` names the file and key of any problem."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise WebSettingsError(f"{path}: cannot read: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise WebSettingsError(f"{path}: not TOML: {error}") from None
    unknown = sorted(set(document) - _KNOWN)
    if unknown:
        raise WebSettingsError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN))})")
    values: dict[str, Any] = {}
    if "public_url" in document:
        values["public_url"] = _typed(path, "public_url", document["public_url"], str)
    for key, names in _PATHS.items():
        if key in document:
            named = path.parent / _typed(path, key, document[key], str)
            if not (named.is_file() if names == "file" else named.is_dir()):
                raise WebSettingsError(f"{path}: {key}: no {names} {named}")
            values[key] = named
    for key, kind in _NUMBERS.items():
        if key in document:
            values[key] = _typed(path, key, document[key], kind)
    for key in _FLAGS:
        if key in document:
            values[key] = _typed(path, key, document[key], bool)
    keys = document.get("api_keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise WebSettingsError(f"{path}: api_keys: a table of key digest = staff id")
    values["api_keys"] = keys
    try:
        return WebSettings(**values)
    except WebSettingsError as error:
        raise WebSettingsError(f"{path}: {error}") from None


def _typed(path: Path, key: str, value: Any, kind: type) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise WebSettingsError(f"{path}: {key}: {value!r} is not a {kind.__name__}")
    return value
