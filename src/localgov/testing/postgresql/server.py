"""The throwaway server's API: :class:`TemporaryPostgres`, its URLs and its databases.

:class:`TemporaryPostgres` runs ``initdb`` into a fresh temporary directory, starts ``postgres``
on a free loopback port, creates one database and hands out an SQLAlchemy URL for the psycopg 3
driver. Leaving the ``with`` block (or calling :meth:`TemporaryPostgres.stop`) stops the server
and deletes the directory, whether the code inside failed or not; servers still running when the
interpreter exits are stopped then.
"""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import tempfile
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy.engine import URL, make_url

from localgov.testing.postgresql.binaries import PostgresBinaries, find_postgres_binaries
from localgov.testing.postgresql.errors import (
    DatabaseNameError,
    PostgresStartError,
    PostgresUnavailableError,
)
from localgov.testing.postgresql.process import (
    LOOPBACK,
    SUPERUSER,
    ServerProcess,
    make_server_directory,
    server_account,
)

if TYPE_CHECKING:
    import psycopg

__all__ = ["DRIVER", "TemporaryPostgres", "create_database", "drop_database"]

DRIVER = "postgresql+psycopg"
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _check_database_name(name: str) -> str:
    if not isinstance(name, str) or _DATABASE_NAME.fullmatch(name) is None:
        raise DatabaseNameError(
            f"database name {name!r} is not allowed: use 1 to 63 characters from a-z, 0-9 and _, "
            "not starting with a digit"
        )
    return name


def _connect(url: URL) -> psycopg.Connection[Any]:
    try:
        import psycopg
    except ImportError as error:
        raise PostgresUnavailableError(
            "the psycopg driver is not installed: pip install 'localgov[postgresql]'"
        ) from error
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
        connect_timeout=10,
    )


def create_database(url: URL | str, name: str) -> URL:
    """Create database ``name`` on the server at ``url`` and return ``url`` pointing at it."""
    name = _check_database_name(name)
    server = make_url(url)
    with _connect(server) as connection:
        from psycopg import sql

        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
    return server.set(database=name)


def drop_database(url: URL | str, name: str) -> None:
    """Drop database ``name`` on the server at ``url``, closing its connections first."""
    name = _check_database_name(name)
    server = make_url(url)
    if server.database == name:
        server = server.set(database=SUPERUSER)
    with _connect(server) as connection:
        from psycopg import sql

        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


_LIVE_SERVERS: set[TemporaryPostgres] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_live_servers() -> None:
    with _LIVE_LOCK:
        servers = list(_LIVE_SERVERS)
    for server in servers:
        server.stop()


class TemporaryPostgres:
    """A PostgreSQL server in a temporary directory, for one test session or benchmark.

    ``fsync=False`` turns off ``fsync``, ``full_page_writes`` and ``synchronous_commit``: a crash
    may lose or corrupt data, which a throwaway server does not mind, and tests run faster.
    ``settings`` adds further ``postgres -c name=value`` options. ``os_user`` names the account the
    server runs as when the caller is root. ``directory`` is where the temporary directory is
    made (default: the system's temporary directory).
    """

    def __init__(
        self,
        *,
        fsync: bool = True,
        database: str = "localgov",
        binaries: PostgresBinaries | None = None,
        os_user: str | None = None,
        settings: Mapping[str, str] | None = None,
        startup_timeout: float = 30.0,
        directory: Path | str | None = None,
    ) -> None:
        self._fsync = fsync
        self._database = _check_database_name(database)
        self._binaries = binaries
        self._os_user = os_user
        self._settings = dict(settings or {})
        self._startup_timeout = startup_timeout
        self._base = Path(directory) if directory is not None else Path(tempfile.gettempdir())
        self._password = secrets.token_hex(16)
        self._directory: Path | None = None
        self._server: ServerProcess | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Initialise a cluster, start the server and create the database; returns ``self``."""
        if self._directory is not None:
            raise PostgresStartError("this TemporaryPostgres was already started")
        binaries = self._binaries or find_postgres_binaries()
        account = server_account(self._os_user)
        self._binaries = binaries
        self._directory = make_server_directory(self._base)
        with _LIVE_LOCK:
            _LIVE_SERVERS.add(self)
        try:
            self._server = ServerProcess(
                binaries, self._directory, account=account, startup_timeout=self._startup_timeout
            )
            self._server.initdb(self._password)
            self._server.launch(self._server_settings())
            if self._database != SUPERUSER:
                create_database(self.url_for(SUPERUSER), self._database)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server and delete its directory; safe to call more than once."""
        if self._server is not None:
            self._server.stop()
        directory = self._directory
        if directory is not None and directory.exists():
            shutil.rmtree(directory, ignore_errors=True)
            if directory.exists():
                warnings.warn(f"could not delete {directory}", ResourceWarning, stacklevel=2)
        with _LIVE_LOCK:
            _LIVE_SERVERS.discard(self)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port={self._require_server().port}" if self.running else "not running"
        return f"<TemporaryPostgres database={self._database!r} {state}>"

    # -- what callers use --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.running

    @property
    def pid(self) -> int:
        """Process id of the postmaster."""
        return self._require_server().pid

    @property
    def url(self) -> URL:
        """SQLAlchemy URL of the database (``postgresql+psycopg://...``).

        ``str(url)`` hides the password; use ``url.render_as_string(hide_password=False)`` for
        a string another process can connect with.
        """
        return self.url_for(self._database)

    def url_for(self, database: str) -> URL:
        """SQLAlchemy URL of another database on this server."""
        server = self._require_server()
        return URL.create(
            DRIVER,
            username=SUPERUSER,
            password=self._password,
            host=LOOPBACK,
            port=server.port,
            database=_check_database_name(database),
        )

    @property
    def database(self) -> str:
        return self._database

    @property
    def port(self) -> int:
        return self._require_server().port

    @property
    def directory(self) -> Path:
        """The temporary directory: ``data/`` (the cluster), ``server.log`` and the socket."""
        if self._directory is None:
            raise PostgresStartError("this TemporaryPostgres has not been started")
        return self._directory

    @property
    def binaries(self) -> PostgresBinaries | None:
        return self._binaries

    def create_database(self, name: str) -> URL:
        """Create another empty database on this server and return its URL."""
        return create_database(self.url_for(SUPERUSER), name)

    def drop_database(self, name: str) -> None:
        drop_database(self.url_for(SUPERUSER), name)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log, for error messages."""
        return self._server.log_tail(lines) if self._server is not None else ""

    # -- internals ---------------------------------------------------------------------------

    def _require_server(self) -> ServerProcess:
        if self._server is None or not self._server.running:
            raise PostgresStartError("the temporary PostgreSQL server is not running")
        return self._server

    def _server_settings(self) -> dict[str, str]:
        settings: dict[str, str] = {}
        if not self._fsync:
            settings.update(fsync="off", full_page_writes="off", synchronous_commit="off")
        settings.update(self._settings)
        return settings
