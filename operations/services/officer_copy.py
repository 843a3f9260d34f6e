"""officers_upsert's writes on PostgreSQL, set-based: the batch's officers COPYed into a temporary
table, then one statement each for the new officers, the changed ones and their history rows.

Django's ``bulk_create`` and simple_history's bulk helpers build every value of every row as a
query parameter (for 100,000 officers: 2.9 million ``prepare_value`` calls and an instance per
history row, most of a roster import's time). Here psycopg's COPY sends the rows as one stream and
the database copies the history rows from the officers as stored, as ``pilkades.bulk_history``
does for the region imports: the same tracked values and the same four history constants
simple_history would give each row (date, user, reason, type).
"""

from __future__ import annotations

from operator import attrgetter

from django.conf import settings
from django.db import connection
from django.utils import timezone

from operations.models import Officer

# Dropped with the transaction; a roster import's later batches reuse it (emptied first).
_TABLE = "officers_upsert_batch"
# The columns an upsert may change (UPSERT_FIELDS and the catalogue title matched from the position).
_CHANGED = ("name", "rank", "position", "jabatan_id", "unit_id", "home_desa_id", "phone", "is_active")


def _history_user_id(user):
    if user is None:
        # What bulk_history_create asks for a row without its own user: the request's, if any.
        user = Officer.history.model.get_default_history_user(Officer())
    return user.pk if user is not None else None


def copy_write(*, new: list[Officer], changed: list[Officer], user, new_reason, changed_reason) -> None:
    """Insert ``new``, write every upsert column of ``changed`` (locked by the caller), and give
    each a history row ("+" with ``new_reason``, "~" with ``changed_reason``) in the batch's order."""
    if not new and not changed:
        return
    qn = connection.ops.quote_name
    fields = [field for field in Officer._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(qn(field.column) for field in fields)
    values = attrgetter(*(field.attname for field in fields))
    officers, pk = qn(Officer._meta.db_table), qn(Officer._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TABLE} ON COMMIT DROP AS "
            f"SELECT {pk}, {columns}, 0 AS row_order FROM {officers} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_TABLE}")
        with cursor.copy(f"COPY {_TABLE} ({pk}, {columns}, row_order) FROM STDIN") as copy:
            order = 0
            for officer in new:
                copy.write_row((None, *values(officer), order))
                order += 1
            for officer in changed:
                copy.write_row((officer.pk, *values(officer), order))
                order += 1
        if new:
            cursor.execute(
                f"INSERT INTO {officers} ({columns}) SELECT {columns} FROM {_TABLE} "
                f"WHERE {pk} IS NULL ORDER BY row_order"
            )
        if changed:
            assignments = ", ".join(f"{qn(column)} = batch.{qn(column)}" for column in _CHANGED)
            cursor.execute(
                f"UPDATE {officers} SET {assignments} FROM {_TABLE} batch "
                f"WHERE batch.{pk} IS NOT NULL AND {officers}.{pk} = batch.{pk}"
            )
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        history = Officer.history.model
        tracked = [field.column for field in history.tracked_fields]
        targets = ", ".join(qn(column) for column in tracked)
        copied = ", ".join(f"officer.{qn(column)}" for column in tracked)
        head = (
            f"INSERT INTO {qn(history._meta.db_table)} ({targets}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {copied}, %s, %s, %s, %s FROM {officers} officer "
        )
        now, user_id = timezone.now(), _history_user_id(user)
        if new:
            cursor.execute(
                head + f"JOIN {_TABLE} batch ON batch.{pk} IS NULL AND officer.nrp = batch.nrp "
                "ORDER BY batch.row_order",
                [now, new_reason, "+", user_id],
            )
        if changed:
            cursor.execute(
                head + f"JOIN {_TABLE} batch ON officer.{pk} = batch.{pk} ORDER BY batch.row_order",
                [now, changed_reason, "~", user_id],
            )
