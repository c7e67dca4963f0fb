"""Secrets (merchant keys) that never show up in a repr, a log line or an error message."""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

from localgov.payments.errors import PaymentConfigurationError

__all__ = ["Secret", "secret_from_env"]


class Secret:
    """A secret string. ``repr``/``str`` print ``<secret>``; :meth:`reveal` hands it to the signer.

    Equality is constant-time, and a secret refuses to be pickled (so it cannot leak into a cache
    or a task queue by accident).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise PaymentConfigurationError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('<secret>')"

    def __str__(self) -> str:
        return "<secret>"

    def __format__(self, spec: str) -> str:
        return "<secret>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def secret_from_env(name: str, environ: Mapping[str, str] | None = None) -> Secret:
    """The secret in environment variable ``name``; the error names the variable, never a value."""
    value = (os.environ if environ is None else environ).get(name, "")
    if not value.strip():
        raise PaymentConfigurationError(f"environment variable {name} is not set (it holds a payment secret)")
    return Secret(value.strip())
