"""Rows of hand-written statements turned into model instances as the ORM would build them.

Only for the busiest requests (election day's check-ins and progress steps, the API's token
lookup): there, compiling the ORM's query for a read with its joins cost more CPU than PostgreSQL
spent running it (profiled: ~40 % of a check-in request). The statement is written once per
process from the models' own table and column names; each value goes through the same converters
the ORM applies (SQLite returns dates, decimals and UUIDs as text), then ``Model.from_db`` builds
the instance, so what a service gets is an ordinary model instance.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field, Model


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
