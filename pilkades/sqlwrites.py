"""Single-row writes for the busiest requests, through statements written once per process.

Election day's check-ins and progress steps each store a row, its history row and (for a step)
the village's current stage. Through ``Model.save`` and simple_history's ``post_save`` that was
two thirds of the service's CPU (profiled: the ORM compiling an INSERT, then building a
historical instance and compiling a second INSERT for it). Here the statements are built once per
model from its own fields, each value goes through the field's own ``pre_save`` and
``get_db_prep_save`` (so ``auto_now_add`` and UUIDs are stored as ``save()`` stores them), and the
history row is copied by the database from the row just written, with the same four history
values simple_history gives it (as ``pilkades.bulk_history`` does for many rows).

A write can carry the statements that complete it (``then``: the board's counters, the village's
current stage). On PostgreSQL they join the insert as further data-modifying WITH clauses, so a
check-in or a step is one round trip between its locking reads and the commit: the two sync
workers spend much of a request waiting on the database, and a round trip less is a wait less.

No ``pre_save``/``post_save`` signal is sent: callers are models without receivers (a test checks
that none is connected), and the history row is the one receiver simple_history would have run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model, signals
from django.utils import timezone

from pilkades import sqlrows
from pilkades.bulk_history import history_columns


class Statement(NamedTuple):
    """One data-modifying statement (no result read) and its parameters."""

    sql: str
    params: Sequence


def execute(statement: Statement) -> None:
    with sqlrows.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)


def insert(
    instance: Model, *, history_user=None, then: Callable[[Model], Iterable[Statement]] | None = None
) -> Model:
    """Store the new ``instance`` (its primary key is set on it), and its "+" history row by
    ``history_user`` when the model keeps a history; returns the instance, as saved.

    ``then(instance)`` returns the statements that complete the write; it is called once the
    instance's values are set (``auto_now_add`` filled in), before anything is sent. Each must
    write another table than this row's and its history's, and read neither: on PostgreSQL they
    run in the same statement as the insert and see the tables as they were before it. The caller's
    transaction makes the whole write one: when any part fails, none is kept.
    """
    model = type(instance)
    _refuse_receivers(model)
    history = hasattr(model, "history") and getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    together = connection.vendor == "postgresql"
    fields = _fields(model)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    following = list(then(instance)) if then is not None else []
    if together:
        statement, constants = _together_statement(
            model, connection.vendor, history, tuple(s.sql for s in following)
        )
        if history:
            params += _history_params(instance, constants, history_type="+", user=history_user)
        for extra in following:
            params += extra.params
        following = []
    else:
        statement = _insert_statement(model, connection.vendor)
    with sqlrows.cursor() as cursor:
        cursor.execute(statement, params)
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    if history and not together:
        statement, constants = _history_statement(model, connection.vendor)
        params = _history_params(instance, constants, history_type="+", user=history_user)
        execute(Statement(statement, [*params, instance.pk]))
    for extra in following:
        execute(extra)
    return instance


def update(instance: Model, names: Iterable[str]) -> None:
    """Write the fields ``names`` of the stored ``instance`` (a model without history), as
    ``save(update_fields=names)`` would; nothing else of the row is touched."""
    execute(update_statement(instance, names))


def update_statement(instance: Model, names: Iterable[str]) -> Statement:
    """What ``update`` sends, to run as part of another write (``insert``'s ``then``)."""
    model = type(instance)
    _refuse_receivers(model)
    if hasattr(model, "history"):
        raise ImproperlyConfigured(f"{model.__name__} keeps a history: save() it")
    names = tuple(names)
    statement, fields = _update_statement(model, names, connection.vendor)
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    return Statement(statement, [*params, instance.pk])


def _refuse_receivers(model: type[Model]) -> None:
    """These writes send no signal: a receiver of ``model``'s saves would be skipped silently.
    simple_history's own ``post_save`` receiver is allowed: its history row is the one copied here."""
    for signal in (signals.pre_save, signals.post_save):
        if signal.has_listeners(model) and any(
            not _is_history_receiver(receiver) for receiver in _receivers(signal, model)
        ):
            raise ImproperlyConfigured(f"{model.__name__} has a save receiver: use save()")


def _receivers(signal, model: type[Model]) -> list:
    sync, asynchronous = signal._live_receivers(model)  # Django 5's shape, pinned by the lock file
    return [*sync, *asynchronous]


def _is_history_receiver(receiver) -> bool:
    from simple_history.models import HistoricalRecords

    return isinstance(getattr(receiver, "__self__", None), HistoricalRecords)


@functools.cache
def _fields(model: type[Model]) -> list:
    """The fields an INSERT names, in parameter order (the database makes the automatic key)."""
    meta = model._meta
    return [field for field in meta.concrete_fields if not field.generated and field is not meta.auto_field]


@functools.cache
def _insert_values(model: type[Model], vendor: str) -> str:
    """INSERT INTO the model's table its ``_fields``, one parameter each."""
    quote = connection.ops.quote_name
    fields = _fields(model)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )


@functools.cache
def _insert_statement(model: type[Model], vendor: str) -> str:
    """The INSERT of one row, returning its key where the database can."""
    statement = _insert_values(model, vendor)
    if connection.features.can_return_columns_from_insert:
        statement += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    return statement


@functools.cache
def _together_statement(
    model: type[Model], vendor: str, with_history: bool, following: tuple[str, ...]
) -> tuple[str, list]:
    """PostgreSQL: the row's INSERT, the copy into its history and the ``following`` statements
    as one (data-modifying WITH clauses each run once, whether or not the query reads them), and
    the history values' fields; it returns the new row's key."""
    quote = connection.ops.quote_name
    clauses = [f"new AS ({_insert_values(model, vendor)} RETURNING *)"]
    constants = []
    if with_history:
        table, targets, selects, constants = _history_columns(model, vendor)
        clauses.append(
            f"history AS (INSERT INTO {table} ({', '.join(targets)}) SELECT {', '.join(selects)} FROM new)"
        )
    clauses += [f"then_{n} AS ({sql})" for n, sql in enumerate(following)]
    return f"WITH {', '.join(clauses)} SELECT {quote(model._meta.pk.column)} FROM new", constants


@functools.cache
def _update_statement(model: type[Model], names: tuple[str, ...], vendor: str) -> tuple[str, list]:
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s", fields


@functools.cache
def _history_columns(model: type[Model], vendor: str) -> tuple[str, list[str], list[str], list]:
    return history_columns(model, connection)


@functools.cache
def _history_statement(model: type[Model], vendor: str) -> tuple[str, list[tuple[str, object]]]:
    """Copy the stored row whose key is the last parameter into its history."""
    table, targets, selects, constants = _history_columns(model, vendor)
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {table} ({', '.join(targets)}) SELECT {', '.join(selects)}"
        f" FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s"
    )
    return statement, constants


def _history_params(instance: Model, constants: list, *, history_type: str, user) -> list:
    """The four values simple_history gives a history row, as it gives them."""
    values = {
        "history_date": getattr(instance, "_history_date", None) or timezone.now(),
        "history_change_reason": getattr(instance, "_change_reason", None),
        "history_type": history_type,
        "history_user_id": user.pk if user is not None else None,
    }
    return [field.get_db_prep_save(values[name], connection) for name, field in constants]
