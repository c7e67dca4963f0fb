"""The errors the documents package raises on purpose."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = ["DocumentError", "FontError", "SigningError"]


class DocumentError(LocalgovError):
    """A document cannot be made from what it was given (a request not issued, a bad setting...)."""


class FontError(DocumentError):
    """A font cannot be found, read or embedded."""


class SigningError(DocumentError):
    """A PDF cannot be signed: the credential, the chain or the timestamp authority failed."""
