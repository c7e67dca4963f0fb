"""The errors the throwaway PostgreSQL server raises, all :class:`~localgov.errors.LocalgovError`."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = ["DatabaseNameError", "PostgresError", "PostgresStartError", "PostgresUnavailableError"]


class PostgresError(LocalgovError):
    """Base class of the errors :mod:`localgov.testing.postgresql` raises."""


class PostgresUnavailableError(PostgresError):
    """No usable PostgreSQL server binaries, account or driver on this machine."""


class PostgresStartError(PostgresError):
    """A server could not be started, or was used while not running."""


class DatabaseNameError(PostgresError, ValueError):
    """A database name outside the safe subset ``[a-z_][a-z0-9_]{0,62}``."""
