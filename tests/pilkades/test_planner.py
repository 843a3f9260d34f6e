"""Bulk commands leave planner statistics behind (SQLite gathers none by itself)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from tests.operations.risk_setup import build_world

pytestmark = pytest.mark.django_db


def _analysed_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        else:
            # pg_class.reltuples is -1 until the table has been analysed (or vacuumed) once.
            cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= 0")
        return {row[0] for row in cursor.fetchall()}


def test_recompute_risk_refreshes_the_statistics_of_the_ranking(make_user):
    build_world(make_user, own_villages=3)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1 if this database has none yet
            cursor.execute("DELETE FROM sqlite_stat1")
        assert "operations_villagestanding" not in _analysed_tables()

    call_command("recompute_risk", stdout=io.StringIO())

    assert "operations_villagestanding" in _analysed_tables()
