"""SQLAlchemy Core statements compiled once per dialect and run on the driver's own cursor.

A lifecycle transition runs five or six short statements. Through ``Connection.execute`` each
one costs SQLAlchemy's whole execution path (cache-key lookup, execution context, result
object, events): about 25 µs, five times what the driver itself spends. The statements a
decision runs are therefore compiled here once, by SQLAlchemy, for the database at hand, and run
with the DBAPI cursor. SQLAlchemy still writes the SQL and still converts the values, with the
very bind and result processors of the column types that ``Connection.execute`` would apply,
so a row written here reads back the same through Core, and the other way round.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["PreparedStatement"]

_Processor = Callable[[Any], Any]


class PreparedStatement:
    """One statement's SQL and value conversions for one dialect.

    >>> select = PreparedStatement(sa.select(table).where(table.c.id == sa.bindparam("id")), dialect)
    >>> select.first(cursor, {"id": "CZTN-2600001-3"})   # a dict of column name to value, or None
    """

    __slots__ = ("_bind", "_columns", "_defaults", "_order", "_pick", "_results", "sql")

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql: str = compiled.string
        binds = compiled.binds
        # A positional driver (SQLite's "?") takes a sequence in the order the SQL names them; a
        # named one (psycopg's "%(name)s") takes the dict itself.
        self._order: tuple[str, ...] | None = tuple(compiled.positiontup or ()) if dialect.positional else None
        # Values SQLAlchemy bound itself (a literal ``last=1`` in an upsert, say).
        self._defaults = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
        self._bind: tuple[tuple[str, _Processor], ...] = tuple(
            (name, processor)
            for name, bind in binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        )
        # A positional statement whose values need no conversion takes them picked in order by
        # C calls, not a loop: a dispatcher binds hundreds of rows a round.
        self._pick: Callable[[Mapping[str, Any]], Sequence[Any]] | None = None
        if self._order and not self._bind:
            self._pick = _picker(self._order, self._defaults)
        # The columns a SELECT selects, or those a DML statement's RETURNING clause returns.
        returned = list(statement.exported_columns)  # type: ignore[attr-defined]
        self._columns = tuple(column.key for column in returned)
        self._results: tuple[_Processor | None, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
        )

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """``values`` converted for the driver, in the form its paramstyle takes."""
        if self._pick is not None:
            return self._pick(values)
        bound = {**self._defaults, **values} if self._defaults else dict(values)
        for name, processor in self._bind:
            bound[name] = processor(bound[name])
        if self._order is None:
            return bound
        return [bound[name] for name in self._order]

    def send(self, cursor: Any, values: Mapping[str, Any]) -> None:
        """Run the statement, reading nothing back."""
        cursor.execute(self.sql, self.parameters(values))

    def send_many(self, cursor: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row of values, in one call to the driver (``executemany``)."""
        if rows:
            cursor.executemany(self.sql, [self.parameters(values) for values in rows])

    def first(self, cursor: Any, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """Run the statement and return its first row by column name (None: no row)."""
        row = self.first_values(cursor, values)
        return None if row is None else dict(zip(self._columns, row, strict=True))

    def first_values(self, cursor: Any, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run the statement and return its first row as a tuple of converted values (None: no row)."""
        cursor.execute(self.sql, self.parameters(values))
        row = cursor.fetchone()
        if row is None or not any(self._results):
            return None if row is None else tuple(row)
        return tuple(
            value if convert is None else convert(value) for value, convert in zip(row, self._results, strict=True)
        )

    def rows(self, cursor: Any, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement and return every row as a tuple of converted values."""
        cursor.execute(self.sql, self.parameters(values))
        results = self._results
        if not any(results):
            return [tuple(row) for row in cursor.fetchall()]
        # Only the columns that need it are converted (a claim's boolean among eight others).
        converted = [(index, convert) for index, convert in enumerate(results) if convert is not None]
        rows = []
        for row in cursor.fetchall():
            fields = list(row)
            for index, convert in converted:
                fields[index] = convert(fields[index])
            rows.append(tuple(fields))
        return rows

    def records(self, cursor: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run the statement and return every row by column name."""
        columns = self._columns
        return [dict(zip(columns, row, strict=True)) for row in self.rows(cursor, values)]


def _picker(names: tuple[str, ...], defaults: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A function from a mapping (over ``defaults``) to its values for ``names``, in order."""
    if len(names) == 1:  # itemgetter of one name returns the value itself, not a tuple
        (name,) = names
        return lambda values: (values[name] if name in values else defaults[name],)
    pick = cast(Callable[[Mapping[str, Any]], Sequence[Any]], operator.itemgetter(*names))
    if not defaults:
        return pick
    return lambda values: pick({**defaults, **values})
