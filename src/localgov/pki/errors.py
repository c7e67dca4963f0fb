"""Errors of the certificate hierarchy and key storage."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = ["PkiError"]


class PkiError(LocalgovError):
    """A key or certificate could not be made, read or used. Never contains key material."""
