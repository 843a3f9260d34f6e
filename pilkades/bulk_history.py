"""History rows for many stored rows at once, copied by the database.

simple_history's ``bulk_create_with_history`` / ``bulk_update_with_history`` build one historical
model instance per row in Python and send every value back as a query parameter: for the national
region list (84,000 desa) that was two thirds of the import. ``history_copy_rows`` writes the same
rows with one ``INSERT INTO <historical table> (...) SELECT ... FROM <table> WHERE <column> IN (...)``
per batch: the tracked fields are copied from the row as stored, and the four history columns
(date, user, reason, type) are the same constants simple_history would give every row of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.utils import timezone

# The columns simple_history adds to every historical table besides its own key (history_id).
HISTORY_CONSTANTS = ("history_date", "history_change_reason", "history_type", "history_user_id")

# Codes per statement: well under SQLite's and PostgreSQL's parameter limits.
BATCH_SIZE = 2000


def history_copy_rows(
    model: type[models.Model],
    *,
    column: str,
    values: Sequence,
    history_type: str,
    user=None,
    change_reason: str | None = None,
    date=None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Write one history row (``history_type`` "+" after an insert, "~" after an update) for each
    stored row of ``model`` whose field ``column`` (unique, e.g. ``code``) is in ``values``.

    The rows equal what simple_history's bulk helpers write with ``default_user=user``,
    ``default_change_reason=change_reason`` and ``default_date=date``: same tracked fields, same
    user (the request's user when ``user`` is None, as simple_history does), in primary-key order.
    """
    if not values or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model
    connection = connections[router.db_for_write(history_model)]
    qn = connection.ops.quote_name
    if user is None:
        # What bulk_history_create asks for a row without its own _history_user.
        user = history_model.get_default_history_user(model())
    values_of = {
        "history_date": date or timezone.now(),
        "history_change_reason": change_reason,
        "history_type": history_type,
        "history_user_id": user.pk if user is not None else None,
    }
    table, targets, selects, constants = history_columns(model, connection)
    params = [field.get_db_prep_save(values_of[name], connection) for name, field in constants]

    source = model._meta
    where_field = source.get_field(column)
    sql_head = (
        f"INSERT INTO {table} ({', '.join(targets)}) "
        f"SELECT {', '.join(selects)} FROM {qn(source.db_table)} WHERE {qn(where_field.column)} IN "
    )
    order = f" ORDER BY {qn(source.pk.column)}"
    values = list(values)
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch_size):
            batch = [where_field.get_db_prep_value(v, connection) for v in values[start : start + batch_size]]
            cursor.execute(f"{sql_head}({', '.join(['%s'] * len(batch))}){order}", [*params, *batch])


def history_columns(model: type[models.Model], connection) -> tuple[str, list[str], list[str], list]:
    """``model``'s historical table (quoted), its columns, what each is filled from when a stored row
    is copied into it (a tracked column of the row, or ``%s`` for one of HISTORY_CONSTANTS) and
    those constants' (name, field) in parameter order. A column it cannot fill fails loudly."""
    history_model = model.history.model
    if hasattr(history_model, "history_relation"):
        raise ImproperlyConfigured(f"{history_model.__name__}: history_relation is not supported")
    qn = connection.ops.quote_name
    tracked = {field.attname: field for field in history_model.tracked_fields}
    targets, selects, constants = [], [], []
    for field in history_model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in tracked:
            selects.append(qn(tracked.pop(field.attname).column))
        elif field.attname in HISTORY_CONSTANTS:
            selects.append("%s")
            constants.append((field.attname, field))
        else:
            # A column this copy does not know how to fill (custom history fields): fail loudly.
            raise ImproperlyConfigured(f"{history_model.__name__}.{field.attname}: no value to copy")
        targets.append(qn(field.column))
    if tracked:
        raise ImproperlyConfigured(f"{history_model.__name__}: no column for {sorted(tracked)}")
    return qn(history_model._meta.db_table), targets, selects, constants
