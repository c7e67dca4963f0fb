"""localgov's pytest plugin: the test kit's fixtures, for localgov and the systems built on it.

localgov declares this module as a ``pytest11`` entry point named ``localgov``, so pytest loads
it in every session of an environment where localgov is installed: no ``conftest.py`` has to
import or list anything. ``-p no:localgov`` turns it off; with plugin autoloading disabled
(``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), ``-p localgov.testing.pytest_plugin`` turns it on.

Fixtures (each starts nothing until a test asks for it):

``postgresql_server`` (session)
    a throwaway :class:`~localgov.testing.postgresql.TemporaryPostgres` (fsync off).
``postgres_url`` (session)
    the SQLAlchemy URL of the session's PostgreSQL database: ``$LOCALGOV_POSTGRESQL_URL`` when
    set, else ``postgresql_server``'s.
``postgres_database_url`` (function)
    the URL of a new empty database on that server, dropped after the test.
``localgov_database_url`` (function, parametrised)
    a database for one test, which runs twice: on an SQLite file in its ``tmp_path``, then on a
    new PostgreSQL database (the run marked ``postgresql``).
``localgov_pki`` (function)
    a fresh :class:`~localgov.testing.pki.TestPki` in a temporary directory.

It also declares the ``postgresql`` marker. The payment provider contract suite's fixtures are
not here: they come with :mod:`localgov.testing.payments`, which needs hypothesis.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import URL, make_url

from localgov.testing.postgresql import (
    ENV_SKIP,
    ENV_URL,
    PostgresError,
    TemporaryPostgres,
    create_database,
    drop_database,
)

if TYPE_CHECKING:
    from localgov.testing.pki import TestPki

__all__ = ["localgov_database_url", "localgov_pki", "postgres_database_url", "postgres_url", "postgresql_server"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: needs a PostgreSQL server (localgov's fixtures start one)")


def _skip_requested() -> bool:
    return os.environ.get(ENV_SKIP, "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[TemporaryPostgres]:
    """A throwaway server (fsync off) shared by the whole test session.

    Fails the requesting tests, with the reason, when no server can be started, unless
    ``LOCALGOV_SKIP_POSTGRESQL=1`` asks to skip them instead.
    """
    if _skip_requested():
        pytest.skip(f"{ENV_SKIP} is set")
    server = TemporaryPostgres(fsync=False)
    try:
        server.start()
    except PostgresError as error:
        reason = str(error)
    else:
        reason = ""
    if reason:
        # Failed outside the except block, so pytest shows one message, not a chain.
        pytest.fail(
            f"cannot start a throwaway PostgreSQL server: {reason}\n"
            f"Set {ENV_SKIP}=1 to skip the PostgreSQL tests instead, or {ENV_URL} to use "
            "an existing server.",
            pytrace=False,
        )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> URL:
    """SQLAlchemy URL of the session's PostgreSQL database (``$LOCALGOV_POSTGRESQL_URL`` when
    set, else the ``postgresql_server`` fixture's)."""
    if _skip_requested():
        pytest.skip(f"{ENV_SKIP} is set")
    external = os.environ.get(ENV_URL)
    if external:
        return make_url(external)
    server: TemporaryPostgres = request.getfixturevalue("postgresql_server")
    return server.url


@pytest.fixture
def postgres_database_url(postgres_url: URL) -> Iterator[URL]:
    """URL of a new empty database for one test, dropped after it."""
    name = f"test_{uuid.uuid4().hex[:20]}"
    url = create_database(postgres_url, name)
    try:
        yield url
    finally:
        drop_database(postgres_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def localgov_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for one test: an SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'localgov.sqlite3'}"
    url: URL = request.getfixturevalue("postgres_database_url")
    return str(url.render_as_string(hide_password=False))


@pytest.fixture
def localgov_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """A fresh :class:`~localgov.testing.pki.TestPki` in a temporary directory."""
    # Imported here: the certificate machinery is not worth loading in every pytest session.
    from localgov.testing.pki import build_test_pki

    yield build_test_pki(tmp_path_factory.mktemp("pki"))
