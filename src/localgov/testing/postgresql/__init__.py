"""Throwaway PostgreSQL servers for tests and benchmarks.

:class:`TemporaryPostgres` runs ``initdb`` into a fresh temporary directory, starts ``postgres``
on a free loopback port, creates one database and hands out an SQLAlchemy URL for the psycopg 3
driver; leaving the ``with`` block stops the server and deletes the directory. The package's
modules each do one job, and everything public is importable from here:

- :mod:`~localgov.testing.postgresql.binaries` finds ``initdb`` and ``postgres``
  (``scripts/ensure-postgresql`` installs them when none are found);
- :mod:`~localgov.testing.postgresql.process` runs the server process, as an unprivileged
  account when the caller is root;
- :mod:`~localgov.testing.postgresql.server` is :class:`TemporaryPostgres`, its URLs and databases;
- :mod:`~localgov.testing.postgresql.errors` holds the errors.

The pytest fixtures (``postgresql_server``, ``postgres_url``, ``postgres_database_url``) live in
:mod:`localgov.testing.pytest_plugin`, which pytest loads by itself wherever localgov is
installed. Importing this package imports neither pytest nor psycopg.
"""

from __future__ import annotations

from localgov.testing.postgresql.binaries import (
    ENV_BINDIR,
    PostgresBinaries,
    find_postgres_binaries,
)
from localgov.testing.postgresql.errors import (
    DatabaseNameError,
    PostgresError,
    PostgresStartError,
    PostgresUnavailableError,
)
from localgov.testing.postgresql.process import ENV_OS_USER, LOOPBACK, SUPERUSER
from localgov.testing.postgresql.server import (
    DRIVER,
    TemporaryPostgres,
    create_database,
    drop_database,
)

__all__ = [
    "DRIVER",
    "ENV_BINDIR",
    "ENV_OS_USER",
    "ENV_SKIP",
    "ENV_URL",
    "LOOPBACK",
    "SUPERUSER",
    "DatabaseNameError",
    "PostgresBinaries",
    "PostgresError",
    "PostgresStartError",
    "PostgresUnavailableError",
    "TemporaryPostgres",
    "create_database",
    "drop_database",
    "find_postgres_binaries",
]

ENV_SKIP = "LOCALGOV_SKIP_POSTGRESQL"
"""``1`` turns the fixtures' failure into a skip when no server can be had."""

ENV_URL = "LOCALGOV_POSTGRESQL_URL"
"""An existing server's SQLAlchemy URL for the fixtures to use instead of starting one."""

# The fixtures were defined here before the pytest plugin existed; conftests that still import
# them from here keep working (the plugin registers them anyway).
_FIXTURES = frozenset({"postgres_database_url", "postgres_url", "postgresql_server"})


def __getattr__(name: str) -> object:
    if name in _FIXTURES:
        from localgov.testing import pytest_plugin

        return getattr(pytest_plugin, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
