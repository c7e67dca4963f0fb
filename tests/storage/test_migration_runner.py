"""One migration runner for every table set; a database from a newer localgov is refused untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from localgov.cli import cli
from localgov.payments.ledger import PAYMENT_TABLES, migrate_payments
from localgov.storage import (
    CORE,
    DatabaseTooNew,
    Migration,
    TableSet,
    current_version,
    migrate,
    open_database,
)


def _advance(engine: sa.Engine, tables: TableSet, version: int) -> None:
    """Leave the database as a release that knows step ``version`` of ``tables`` would."""
    with engine.begin() as connection:
        connection.execute(
            tables.version_table.insert().values(version=version, applied_at="2031-01-01T00:00:00+00:00")
        )


@pytest.mark.parametrize("tables", [CORE, PAYMENT_TABLES], ids=lambda t: t.name)
def test_a_database_from_a_newer_release_is_refused_and_left_alone(store_url: str, tables: TableSet) -> None:
    engine = open_database(store_url)
    try:
        migrate(engine, tables)
        _advance(engine, tables, tables.latest + 1)
        with engine.connect() as connection:
            before = sorted(sa.inspect(connection).get_table_names())
        with pytest.raises(DatabaseTooNew) as refused:
            migrate(engine, tables)
        message = str(refused.value)
        assert f"{tables.name} tables are at schema version {tables.latest + 1}" in message
        assert f"newer than the {tables.latest} this localgov knows" in message
        assert "upgrade localgov" in message
        with engine.connect() as connection:
            assert sorted(sa.inspect(connection).get_table_names()) == before
        assert current_version(engine, tables) == tables.latest + 1
    finally:
        engine.dispose()


def test_the_password_is_not_in_the_refusal() -> None:
    engine = sa.create_engine("sqlite://")
    url = sa.make_url("postgresql+psycopg://clerk:s3cret@db.example/lg")
    tables = TableSet("core", CORE.version_table, CORE.steps, lock_id=1)
    with engine.begin() as connection:
        CORE.version_table.create(connection)
        connection.execute(CORE.version_table.insert().values(version=99, applied_at="x"))
    fake = engine.execution_options()
    fake.url = url  # type: ignore[misc]  # what the message is made from, without a server
    with pytest.raises(DatabaseTooNew) as refused:
        migrate(fake, tables)
    assert "s3cret" not in str(refused.value) and "db.example/lg" in str(refused.value)


def test_table_sets_are_migrated_independently(store_url: str) -> None:
    engine = open_database(store_url)
    try:
        assert migrate(engine) == CORE.latest
        assert current_version(engine, PAYMENT_TABLES) == 0
        assert migrate_payments(engine) == PAYMENT_TABLES.latest
        assert current_version(engine) == CORE.latest  # the ledger's steps are its own
    finally:
        engine.dispose()


def test_a_new_step_of_a_set_runs_once_on_an_older_database() -> None:
    metadata = sa.MetaData()
    version_table = sa.Table(
        "lg_example_schema_version",
        metadata,
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("applied_at", sa.String(40), nullable=False),
    )
    runs: list[int] = []

    def step(number: int) -> Migration:
        return Migration(number, f"step {number}", lambda connection: runs.append(number))

    engine = open_database("sqlite://")
    try:
        assert migrate(engine, TableSet("example", version_table, (step(1),), lock_id=7)) == 1
        upgraded = TableSet("example", version_table, (step(1), step(2)), lock_id=7)
        assert migrate(engine, upgraded) == 2
        assert migrate(engine, upgraded) == 2
        assert runs == [1, 2]
    finally:
        engine.dispose()


def test_the_command_line_refuses_a_newer_database_with_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = open_database(url)
    try:
        migrate(engine)
        _advance(engine, CORE, CORE.latest + 1)
    finally:
        engine.dispose()
    result = CliRunner().invoke(cli, ["--db", url, "audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "newer than the" in result.output
    assert "Traceback" not in result.output
