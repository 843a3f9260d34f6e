"""Single-row writes for the busiest requests, through statements written once per process.

Election day's check-ins and progress steps each store a row, its history row and (for a step)
the village's current stage. Through ``Model.save`` and simple_history's ``post_save`` that was
two thirds of the service's CPU (profiled: the ORM compiling an INSERT, then building a
historical instance and compiling a second INSERT for it). Here the statements are built once per
model from its own fields, each value goes through the field's own ``pre_save`` and
``get_db_prep_save`` (so ``auto_now_add`` and UUIDs are stored as ``save()`` stores them), and the
history row is copied by the database from the row just written, with the same four history
values simple_history gives it (as ``pilkades.bulk_history`` does for many rows).

No ``pre_save``/``post_save`` signal is sent: callers are models without receivers (a test checks
that none is connected), and the history row is the one receiver simple_history would have run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model, signals
from django.utils import timezone

from pilkades import sqlrows
from pilkades.bulk_history import history_columns


def insert(instance: Model, *, history_user=None) -> Model:
    """Store the new ``instance`` (its primary key is set on it), and its "+" history row by
    ``history_user`` when the model keeps a history; returns the instance, as saved."""
    model = type(instance)
    _refuse_receivers(model)
    history = hasattr(model, "history") and getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    together = history and connection.vendor == "postgresql"
    statement, fields, constants = _insert_statement(model, connection.vendor, together)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    if together:
        params += _history_params(instance, constants, history_type="+", user=history_user)
    with sqlrows.cursor() as cursor:
        cursor.execute(statement, params)
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    if history and not together:
        statement, constants = _history_statement(model, connection.vendor)
        params = _history_params(instance, constants, history_type="+", user=history_user)
        with sqlrows.cursor() as cursor:
            cursor.execute(statement, [*params, instance.pk])
    return instance


def update(instance: Model, names: Iterable[str]) -> None:
    """Write the fields ``names`` of the stored ``instance`` (a model without history), as
    ``save(update_fields=names)`` would; nothing else of the row is touched."""
    model = type(instance)
    _refuse_receivers(model)
    if hasattr(model, "history"):
        raise ImproperlyConfigured(f"{model.__name__} keeps a history: save() it")
    names = tuple(names)
    statement, fields = _update_statement(model, names, connection.vendor)
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    with sqlrows.cursor() as cursor:
        cursor.execute(statement, [*params, instance.pk])


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
def _insert_statement(model: type[Model], vendor: str, with_history: bool) -> tuple[str, list, list]:
    """The INSERT of one row, its fields in parameter order, and (``with_history``, PostgreSQL) the
    history values' fields: then one statement writes the row and copies it into its history
    (a data-modifying WITH), one round trip instead of two."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated and field is not meta.auto_field]
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    returning = ""
    if connection.features.can_return_columns_from_insert:
        returning = f" RETURNING {quote(meta.pk.column)}"
    if not with_history:
        return statement + returning, fields, []
    table, targets, selects, constants = _history_columns(model, vendor)
    copy = f"INSERT INTO {table} ({', '.join(targets)}) SELECT {', '.join(selects)} FROM new"
    return f"WITH new AS ({statement} RETURNING *) {copy}{returning}", fields, constants


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
