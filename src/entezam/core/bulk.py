"""Set-based writes on PostgreSQL: COPY into a temporary staging table, then INSERT … SELECT.

The ORM builds a bulk insert field by field in Python, which costs more than the database
spends storing the rows. These helpers let a bulk writer stream already-validated rows into
a temporary table with `COPY` and move them into the real tables with one statement per
step. Columns a writer does not set get the model field's default, so a column added to a
model later (with a default) needs no change here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def column(model: type[models.Model], name: str) -> str:
    """The database column of `model`'s field `name`, which must have one."""
    found = getattr(model._meta.get_field(name), "column", None)
    if not found:
        raise ValueError(f"{model._meta.label}.{name} has no database column")
    return found


def column_defaults(model, given: Iterable[str], now) -> tuple[list[str], list[Any]]:
    """(columns, database values) of `model`'s concrete columns that are not in `given`.

    Each column gets its field's default (`auto_now`/`auto_now_add` fields: `now`); the
    auto-generated primary key is left to the database.
    """
    given = set(given)
    columns: list[str] = []
    values: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.column in given or (field.primary_key and field.db_returning):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        columns.append(field.column)
        values.append(field.get_db_prep_save(value, connection))
    return columns, values


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: stream `rows` (tuples of database values) into `table` with COPY."""
    names = ", ".join(quote(name) for name in columns)
    # Django's cursor wraps psycopg's: COPY goes through the raw one.
    with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


def next_ids(model, count: int) -> list[int]:
    """`count` primary keys for rows about to be inserted with explicit ids (so that the rows
    referring to them need no read-back): from the sequence on PostgreSQL, past the largest
    id elsewhere (a single writer: seeding)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {quote(table)}")
        start = (cursor.fetchone()[0] or 0) + 1
    return list(range(start, start + count))


def adapted(model, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[tuple]:
    """Rows of Python values as the database takes them (COPY adapts them itself; a plain
    executemany on SQLite needs aware datetimes converted and the like)."""
    if is_postgresql():
        return [tuple(row) for row in rows]
    by_column = {field.column: field for field in model._meta.concrete_fields}
    fields = [by_column[name] for name in columns]
    return [
        tuple(
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row, strict=True)
        )
        for row in rows
    ]


def insert_rows(model, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows of already-adapted values into `model`'s table with one statement.

    `bulk_create` builds a model instance per row and splits the rows into batches of
    999 parameters on SQLite, so its cost and query count grow with the rows; here it is
    one statement: COPY on PostgreSQL, executemany elsewhere.
    """
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            copy_rows(cursor, table, columns, rows)
            return
        cursor.executemany(
            "INSERT INTO {} ({}) VALUES ({})".format(
                quote(table),
                ", ".join(quote(c) for c in columns),
                ", ".join(["%s"] * len(columns)),
            ),
            rows,
        )


class StagingTable:
    """A temporary table living at most as long as the current transaction.

    Created on first use (`ON COMMIT DROP`, so a crash or a commit leaves nothing behind),
    refilled with `load`, dropped explicitly by `drop` so that two imports in one
    transaction do not collide.
    """

    def __init__(self, prefix: str, columns: Sequence[tuple[str, str]]):
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.columns = [name for name, _type in columns]
        self._definition = ", ".join(f"{quote(name)} {type_}" for name, type_ in columns)
        self._created = False

    def load(self, cursor, rows: Iterable[Sequence[Any]]) -> None:
        """Replace the table's rows with `rows` (tuples in column order) through COPY."""
        if self._created:
            cursor.execute(f"TRUNCATE {quote(self.name)}")
        else:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {quote(self.name)} ({self._definition}) ON COMMIT DROP"
            )
            self._created = True
        copy_rows(cursor, self.name, self.columns, rows)

    def drop(self, cursor) -> None:
        if self._created:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(self.name)}")
            self._created = False
