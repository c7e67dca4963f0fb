"""Running a PostgreSQL server process: its account, ``initdb``, ``postgres`` and its shutdown.

PostgreSQL refuses to run as root. When the caller is root, the server runs as an unprivileged
account instead: ``$LOCALGOV_POSTGRESQL_OS_USER``, else ``nobody``.

:class:`ServerProcess` is one cluster directory and the postmaster running on it. It knows
nothing of databases or URLs; :class:`~localgov.testing.postgresql.TemporaryPostgres` builds on it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from localgov.testing.postgresql.errors import PostgresStartError, PostgresUnavailableError

if TYPE_CHECKING:
    from localgov.testing.postgresql.binaries import PostgresBinaries

__all__ = [
    "ENV_OS_USER",
    "LOOPBACK",
    "SUPERUSER",
    "Account",
    "ServerProcess",
    "as_whom",
    "make_server_directory",
    "run_as",
    "server_account",
]

ENV_OS_USER = "LOCALGOV_POSTGRESQL_OS_USER"
"""Account the server runs as when the caller is root (default ``nobody``)."""

LOOPBACK = "127.0.0.1"
SUPERUSER = "postgres"
"""The cluster's superuser, made by ``initdb``."""

_DIRECTORY_PREFIX = "localgov-pg-"
# sun_path is 108 bytes on Linux; PostgreSQL wants room for "/.s.PGSQL.NNNNN" and a NUL.
_MAX_SOCKET_DIR = 90
_PORT_ATTEMPTS = 5
_PR_SET_PDEATHSIG = 1


# -- the account ---------------------------------------------------------------------------


@attrs.frozen
class Account:
    """An unprivileged account the server runs as."""

    name: str
    uid: int
    gid: int


def server_account(requested: str | None) -> Account | None:
    """The unprivileged account to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    name = requested or os.environ.get(ENV_OS_USER) or "nobody"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PostgresUnavailableError(
            f"account {name!r} to run PostgreSQL as (set by {ENV_OS_USER} or os_user) does not exist"
        ) from None
    if entry.pw_uid == 0:
        raise PostgresUnavailableError(f"account {name!r} is root; PostgreSQL refuses to run as root")
    return Account(name, entry.pw_uid, entry.pw_gid)


def as_whom(account: Account | None) -> str:
    """`` as NAME`` for error messages, or nothing when running as ourselves."""
    return f" as {account.name}" if account else ""


def run_as(account: Account | None) -> dict[str, Any]:
    """Keyword arguments for :mod:`subprocess` running a server program as ``account``."""
    options: dict[str, Any] = {"env": _child_environment(), "stdin": subprocess.DEVNULL}
    if account is not None:
        options.update(user=account.uid, group=account.gid, extra_groups=[])
    return options


def _child_environment() -> dict[str, str]:
    # C locale: messages we parse stay in English; PG* variables must not redirect initdb.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_", "LANG"))}
    environment["LC_ALL"] = "C"
    return environment


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


# -- the directory -------------------------------------------------------------------------


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


def make_server_directory(base: Path) -> Path:
    """A new directory under ``base`` for one server, after removing those killed servers left.

    Its name carries our process id, so that a later call can tell it was abandoned.
    """
    _remove_abandoned_directories(base)
    return Path(tempfile.mkdtemp(prefix=f"{_DIRECTORY_PREFIX}{os.getpid()}-", dir=base))


# -- the process ---------------------------------------------------------------------------


class ServerProcess:
    """A cluster in ``directory`` (``data/``, ``server.log``, the socket) and its postmaster."""

    def __init__(
        self,
        binaries: PostgresBinaries,
        directory: Path,
        *,
        account: Account | None,
        startup_timeout: float,
    ) -> None:
        self.binaries = binaries
        self.directory = directory
        self.account = account
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.port = 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int:
        """Process id of the postmaster; :class:`PostgresStartError` when it is not running."""
        if self._process is None or self._process.poll() is not None:
            raise PostgresStartError("the temporary PostgreSQL server is not running")
        return self._process.pid

    def initdb(self, password: str) -> None:
        """Initialise the cluster, its superuser :data:`SUPERUSER` having ``password``."""
        directory, account = self.directory, self.account
        if account is not None:
            os.chown(directory, account.uid, account.gid)
        password_file = directory / "password"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        if account is not None:
            os.chown(password_file, account.uid, account.gid)
        command = [
            str(self.binaries.initdb),
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
                **run_as(account),
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresStartError(f"initdb from {self.binaries.bindir}{as_whom(account)} failed: {error}") from error
        finally:
            password_file.unlink(missing_ok=True)
        if completed.returncode != 0:
            raise PostgresStartError(
                f"initdb from {self.binaries.bindir}{as_whom(account)} failed "
                f"(exit {completed.returncode}):\n{completed.stderr.strip()}"
            )

    def launch(self, settings: Mapping[str, str]) -> None:
        """Start ``postgres`` on a free loopback port and wait until it accepts connections.

        ``settings`` are passed as ``-c name=value``, after (and so over) the listening ones.
        """
        binaries, account = self.binaries, self.account
        self._log = (self.directory / "server.log").open("ab")
        for _ in range(_PORT_ATTEMPTS):
            # The port may be taken between probing and binding: then try another.
            self.port = _free_port()
            command = [str(binaries.postgres), "-D", str(self.directory / "data")]
            command += ["-p", str(self.port)]
            for name, value in {**self._listening(), **settings}.items():
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
                    **run_as(account),
                )
            except OSError as error:
                raise PostgresStartError(f"cannot run {binaries.postgres}{as_whom(account)}: {error}") from error
            if self._wait_until_ready(self._process):
                return
            if "could not bind" not in self.log_tail(50):
                break
        raise PostgresStartError(
            f"PostgreSQL from {binaries.bindir} did not start; its log ends with:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Shut the server down (fast, then immediate, then the hard way); safe to repeat."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
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

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log, for error messages."""
        with contextlib.suppress(OSError):
            text = (self.directory / "server.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""

    def _listening(self) -> dict[str, str]:
        socket_dir = str(self.directory)
        return {
            "listen_addresses": LOOPBACK,
            "unix_socket_directories": socket_dir if len(socket_dir) <= _MAX_SOCKET_DIR else "",
        }

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> bool:
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
