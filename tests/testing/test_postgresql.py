"""The throwaway PostgreSQL server: start, use through SQLAlchemy, stop without leftovers."""

from __future__ import annotations

import os
import string
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from localgov.errors import LocalgovError
from localgov.testing.postgresql import (
    ENV_BINDIR,
    ENV_OS_USER,
    ENV_SKIP,
    ENV_URL,
    DatabaseNameError,
    PostgresStartError,
    PostgresUnavailableError,
    TemporaryPostgres,
    find_postgres_binaries,
)


def _skip_if_asked() -> None:
    if os.environ.get(ENV_SKIP) == "1":
        pytest.skip(f"{ENV_SKIP}=1")


@pytest.fixture(scope="module")
def server() -> Iterator[TemporaryPostgres]:
    _skip_if_asked()
    with TemporaryPostgres(fsync=False) as started:
        yield started


@pytest.fixture
def engine(server: TemporaryPostgres) -> Iterator[sa.Engine]:
    engine = sa.create_engine(server.url)
    yield engine
    engine.dispose()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.postgresql
def test_url_uses_psycopg_and_hides_the_password(server: TemporaryPostgres) -> None:
    url = server.url
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1" and url.port == server.port
    assert url.database == "localgov"
    assert url.password and url.password not in str(url)


@pytest.mark.postgresql
def test_table_created_through_sqlalchemy_keeps_what_was_written(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    notes = sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    metadata.create_all(engine)
    written = ["رخصة بناء", "building permit", "٠١٢٣"]
    with engine.begin() as connection:
        connection.execute(notes.insert(), [{"text": text} for text in written])
    with engine.connect() as connection:
        read = connection.execute(sa.select(notes.c.text).order_by(notes.c.id)).scalars().all()
    assert read == written


@pytest.mark.postgresql
def test_server_runs_with_the_requested_fsync(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(sa.text("SHOW fsync")).scalar_one() == "off"
        assert connection.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"


@pytest.mark.postgresql
def test_concurrent_connections_see_each_others_commits(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE hits (worker int NOT NULL, n int NOT NULL)"))
    workers, rows_each = 6, 20
    # Every worker holds its connection open until all are connected, so they overlap.
    all_connected = threading.Barrier(workers, timeout=30)

    def work(worker: int) -> int:
        with engine.connect() as connection:
            backend: int = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            all_connected.wait()
            for n in range(rows_each):
                connection.execute(sa.text("INSERT INTO hits VALUES (:worker, :n)"), {"worker": worker, "n": n})
                connection.commit()
        return backend

    with ThreadPoolExecutor(max_workers=workers) as pool:
        # list() re-raises here whatever a worker raised.
        backends = set(pool.map(work, range(workers)))
    assert len(backends) == workers
    with engine.connect() as connection:
        per_worker: dict[int, int] = dict(
            connection.execute(sa.text("SELECT worker, count(*) FROM hits GROUP BY worker")).all()
        )
    assert per_worker == {worker: rows_each for worker in range(workers)}


@pytest.mark.postgresql
def test_extra_databases_can_be_created_and_dropped(server: TemporaryPostgres) -> None:
    url = server.create_database("scratch_one")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT current_database()")).scalar_one() == "scratch_one"
    engine.dispose()
    server.drop_database("scratch_one")
    admin = sa.create_engine(server.url)
    with admin.connect() as connection:
        names = connection.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
    admin.dispose()
    assert "scratch_one" not in names


@pytest.mark.postgresql
def test_stop_ends_every_server_process_and_deletes_the_directory(
    server: TemporaryPostgres,
) -> None:
    with TemporaryPostgres() as durable:
        assert durable.port != server.port
        directory, postmaster = durable.directory, durable.pid
        engine = sa.create_engine(durable.url)
        # A connection left open must not keep the server, or its backend, alive.
        connection = engine.connect()
        backend = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        assert connection.execute(sa.text("SHOW fsync")).scalar_one() == "on"
        assert directory.is_dir()
    assert not directory.exists()
    assert not durable.running
    assert not _process_exists(postmaster)
    assert not _process_exists(backend)
    with pytest.raises(PostgresStartError):
        _ = durable.url
    connection.invalidate()
    engine.dispose()


@pytest.mark.postgresql
def test_stop_cleans_up_when_the_code_inside_fails() -> None:
    _skip_if_asked()
    with (
        pytest.raises(RuntimeError, match="test body failed"),
        TemporaryPostgres(fsync=False) as failing,
    ):
        directory, postmaster = failing.directory, failing.pid
        raise RuntimeError("test body failed")
    assert not directory.exists()
    assert not _process_exists(postmaster)


@pytest.mark.postgresql
def test_binaries_report_their_version() -> None:
    _skip_if_asked()
    assert "PostgreSQL" in find_postgres_binaries().version()


def test_explicit_binary_directory_without_programs_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BINDIR, str(tmp_path))
    with pytest.raises(PostgresUnavailableError, match=str(tmp_path)):
        find_postgres_binaries()
    with pytest.raises(PostgresUnavailableError):
        TemporaryPostgres().start()


@pytest.mark.skipif(os.geteuid() != 0, reason="the server account is only used as root")
def test_missing_server_account_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _skip_if_asked()
    monkeypatch.setenv(ENV_OS_USER, "no-such-account-for-localgov")
    with pytest.raises(PostgresUnavailableError, match="no-such-account-for-localgov"):
        TemporaryPostgres().start()


_ALLOWED_FIRST = set(string.ascii_lowercase + "_")
_ALLOWED = _ALLOWED_FIRST | set(string.digits)


@given(st.text(max_size=70) | st.text(alphabet=sorted(_ALLOWED), max_size=70))
def test_database_names_outside_the_safe_subset_are_refused(name: str) -> None:
    safe = 1 <= len(name) <= 63 and name[0] in _ALLOWED_FIRST and set(name) <= _ALLOWED
    try:
        TemporaryPostgres(database=name)
    except DatabaseNameError as error:
        assert not safe
        assert isinstance(error, LocalgovError)
        assert repr(name) in str(error)
    else:
        assert safe


# No import of the fixtures: the pytest11 entry point gives them to any project.
_FIXTURE_USER = textwrap.dedent(
    """
    import sqlalchemy as sa

    def test_session_database(postgres_url):
        engine = sa.create_engine(postgres_url)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
        engine.dispose()

    def test_fresh_database(postgres_url, postgres_database_url):
        assert postgres_database_url.database != postgres_url.database
        engine = sa.create_engine(postgres_database_url)
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE t (x int)"))
        engine.dispose()
    """
)


def _run_pytest_on_fixture_user(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_fixture_user.py").write_text(_FIXTURE_USER)
    env = {k: v for k, v in os.environ.items() if k not in {ENV_SKIP, ENV_URL, ENV_BINDIR}}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_fixture_user.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.postgresql
def test_fixtures_provide_a_server_and_fresh_databases(tmp_path: Path) -> None:
    _skip_if_asked()
    result = _run_pytest_on_fixture_user(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_fixtures_fail_when_no_server_can_be_had(tmp_path: Path) -> None:
    empty = tmp_path / "no-binaries"
    empty.mkdir()
    result = _run_pytest_on_fixture_user(tmp_path, **{ENV_BINDIR: str(empty)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot start a throwaway PostgreSQL server" in result.stdout
    assert str(empty) in result.stdout
    assert "2 error" in result.stdout


def test_fixtures_skip_when_asked(tmp_path: Path) -> None:
    empty = tmp_path / "no-binaries"
    empty.mkdir()
    result = _run_pytest_on_fixture_user(tmp_path, **{ENV_BINDIR: str(empty), ENV_SKIP: "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
