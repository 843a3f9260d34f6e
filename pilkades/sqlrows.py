"""Rows of hand-written statements turned into model instances as the ORM would build them.

Only for the busiest requests (election day's check-ins and progress steps, the API's token
lookup, the session and the user's roles read on every page request): there, compiling the ORM's
query for a read with its joins cost more CPU than PostgreSQL spent running it (profiled: ~40 %
of a check-in request). The statement is written once per process from the models' own table
and column names; each value goes through the same converters the ORM applies (SQLite returns
dates, decimals and UUIDs as text), then ``Model.from_db`` builds the instance, so what a
service gets is an ordinary model instance.

On PostgreSQL these statements, and the version stamps read on every board and ranking request
(``board_stamp``, ``ranking_stamp``), run through ``cursor()``: the server binds their parameters,
so a statement run often is prepared on the connection and planned once. Planning the check-in's
read of the posting with its five joined tables cost PostgreSQL ~1.0 ms, running it 0.1 ms
(measured: 1.26 ms of backend CPU per read, 0.09 prepared).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field, Model


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor for hand-written statements: Django's own (its error translation, its query log),
    except that on PostgreSQL the server binds the parameters when the connection prepares
    statements (``DATABASE_PREPARE_THRESHOLD``: psycopg prepares a statement once it has run that
    many times on the connection). The ORM's cursors keep Django's client-side binding, which
    never prepares: only these few statements, each sent as one text with ``$n`` parameters, are.
    """
    raw = _preparing_connection()
    if raw is None:
        with connection.cursor() as made:
            yield made
        return
    factory = raw.cursor_factory
    raw.cursor_factory = _logged_cursor() if connection.queries_logged else _cursor()
    try:
        made = connection.cursor()
    finally:
        raw.cursor_factory = factory
    with made:
        yield made


@functools.cache
def _cursor():
    from django.db.backends.postgresql.base import ServerBindingCursor

    return ServerBindingCursor


@functools.cache
def _logged_cursor():
    """For a connection whose queries Django logs (DEBUG, assertNumQueries): psycopg keeps no query
    text for a statement it runs prepared, and Django's log would hold None in its place. Uses two
    private names of psycopg's cursor (``_query``, ``_convert_query``), pinned by the lock file;
    tests/pilkades/test_prepared_statements.py fails if they change."""

    class LoggedServerBindingCursor(_cursor()):
        def execute(self, query, params=None, **kwargs):
            result = super().execute(query, params, **kwargs)
            if self._query is None:
                self._query = self._convert_query(query, params)
            return result

    return LoggedServerBindingCursor


def _preparing_connection():
    """The open psycopg connection when it prepares statements, else None."""
    if connection.vendor != "postgresql":
        return None
    # Django's own cursor() would run these first; run here, a connection replaced by the health
    # check is the one whose cursor factory is switched.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    return raw if getattr(raw, "prepare_threshold", None) is not None else None


@dataclass(frozen=True)
class Columns:
    """The concrete columns of ``model`` under the SQL alias ``alias``, or only ``names``, in that order."""

    model: type[Model]
    alias: str
    names: tuple[str, ...] = ()

    @functools.cached_property
    def fields(self) -> list[Field]:
        meta = self.model._meta
        return [meta.get_field(name) for name in self.names] if self.names else list(meta.concrete_fields)

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def __len__(self) -> int:
        return len(self.fields)


def table(model: type[Model], alias: str) -> str:
    return f"{connection.ops.quote_name(model._meta.db_table)} {alias}"


@functools.cache
def _plan(columns: Columns, alias: str) -> tuple[list[str], list[tuple[list, Any]]]:
    """Per process and database: each column's attribute name and the converters the ORM applies
    to it (the backend's, then the field's), with the expression they are called with."""
    attnames, converters = [], []
    for field in columns.fields:
        expression = field.get_col(field.model._meta.db_table)
        attnames.append(field.attname)
        converters.append(
            (connection.ops.get_db_converters(expression) + field.get_db_converters(connection), expression)
        )
    return attnames, converters


def values(columns: Columns, row: Sequence) -> list:
    """The values of the columns ``columns`` selected, as the ORM gives them."""
    _attnames, converters = _plan(columns, connection.alias)
    converted = []
    for raw, (steps, expression) in zip(row, converters, strict=True):
        for step in steps:
            raw = step(raw, expression, connection)
        converted.append(raw)
    return converted


def instance(columns: Columns, row: Sequence) -> Model:
    """The instance of ``columns.model`` from ``row``, the values of the columns ``columns`` selected."""
    attnames, _converters = _plan(columns, connection.alias)
    return columns.model.from_db(connection.alias, attnames, values(columns, row))


def split(row: Sequence, *parts: Columns) -> list[Sequence]:
    """``row`` cut into what each of ``parts`` selected, in their order, and what follows them."""
    slices, start = [], 0
    for part in parts:
        slices.append(row[start : start + len(part)])
        start += len(part)
    return [*slices, row[start:]]
