"""localgov's pytest plugin: a project that only installs localgov gets its fixtures.

Each test runs pytest on a fresh project in pytester's temporary directory, outside this
repository: no conftest of ours is in reach, so whatever the inner session sees comes from the
``pytest11`` entry point.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import URL

from localgov.testing.postgresql import ENV_BINDIR, ENV_SKIP, ENV_URL


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, with none of the PostgreSQL settings of the outer session."""
    for name in (ENV_SKIP, ENV_URL, ENV_BINDIR):
        monkeypatch.delenv(name, raising=False)
    return pytester


def test_the_entry_point_registers_the_plugin_once_under_its_name(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import localgov.testing.pytest_plugin as plugin

        def test_registered(pytestconfig):
            manager = pytestconfig.pluginmanager
            assert manager.get_plugin("localgov") is plugin
            assert [p for p in manager.get_plugins() if p is plugin] == [plugin]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_fresh_project_lists_the_fixtures_with_their_scopes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*fixtures defined from localgov.testing.pytest_plugin*",
            "postgres_database_url -- *pytest_plugin.py:*",
            "localgov_pki -- *pytest_plugin.py:*",
            "postgresql_server [[]session scope[]] -- *pytest_plugin.py:*",
            "postgres_url [[]session scope[]] -- *pytest_plugin.py:*",
        ],
        consecutive=False,
    )
    assert result.ret == 0


def test_a_fresh_project_uses_the_pki_fixture_without_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from localgov.testing.pki import TestPki

        def test_pki(localgov_pki):
            assert isinstance(localgov_pki, TestPki)
            assert (localgov_pki.directory / "signer.pem").is_file()
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.postgresql
def test_a_fresh_project_gets_fresh_databases_and_the_marker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, postgres_url: URL
) -> None:
    # The inner session uses this session's server instead of starting one of its own.
    monkeypatch.setenv(ENV_URL, postgres_url.render_as_string(hide_password=False))
    pytester.makepyfile(
        """
        import pytest
        import sqlalchemy as sa

        @pytest.mark.postgresql
        def test_fresh_database(postgres_url, postgres_database_url):
            assert postgres_database_url.database != postgres_url.database
            engine = sa.create_engine(postgres_database_url)
            with engine.begin() as connection:
                connection.execute(sa.text("CREATE TABLE t (x int)"))
            engine.dispose()
        """
    )
    # --strict-markers: the plugin declares the postgresql marker, the project need not.
    pytester.runpytest("--strict-markers", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_wants_pki(localgov_pki):\n    pass\n")
    result = pytester.runpytest("-p", "no:localgov", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'localgov_pki' not found*"])


def test_a_conftest_importing_the_fixtures_the_old_way_still_works(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_SKIP, "1")
    pytester.makeconftest("from localgov.testing.postgresql import postgres_url, postgresql_server  # noqa: F401\n")
    pytester.makepyfile("def test_url(postgres_url):\n    pass\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(skipped=1)
