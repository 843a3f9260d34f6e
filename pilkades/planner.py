"""Planner statistics after bulk writes.

PostgreSQL's autovacuum gathers them by itself; SQLite never does, and without them it picks the
ranking-order index to filter a Polsek or a kecamatan out of all rows (130–220 ms at national scale)
instead of reading those few rows and sorting them (2 ms).
"""

from django.db import connection


def refresh_planner_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
