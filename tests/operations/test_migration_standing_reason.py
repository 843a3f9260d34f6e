"""Migration 0015 gives the ranking rows stored before it their village's override reason."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from operations.models import Operation, RiskLevel, VillageRisk, VillageStanding
from tests.election_day.world import build

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("operations", "0014_history_in_feed_order")
AFTER = ("operations", "0015_standing_override_reason")


def _migrate(target=None) -> None:
    """To ``target``, or back to every app's latest (None): what later tests, and the servers that
    some start on this database, expect (their readiness probe waits for every migration)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def test_rows_stored_before_get_their_villages_reason(make_user):
    w = build(make_user)
    raised, plain = w.own[0], w.own[1]
    version = Operation.objects.get(pk=w.operation.pk).ranking_version
    try:
        _migrate(BEFORE)
        VillageRisk.objects.update_or_create(
            village_election=raised,
            defaults={"override_level": RiskLevel.SANGAT_RAWAN, "override_reason": "Intel: massa bayaran"},
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {VillageStanding._meta.db_table} SET is_overridden = %s"
                " WHERE village_election_id = %s",
                [True, raised.pk],
            )
        _migrate(AFTER)
        rows = VillageStanding.objects.filter(operation=w.operation)
        reasons = dict(rows.values_list("village_election", "override_reason"))
        assert reasons[raised.pk] == "Intel: massa bayaran"
        assert reasons[plain.pk] == ""
        # API pages cached before lack the field: the version they are cached under is left behind.
        assert Operation.objects.get(pk=w.operation.pk).ranking_version > version
    finally:
        _migrate()
    # Migrating back to 0014 unapplied every later migration too; all are applied again (left at
    # 0015, the two-server tests' readiness probes waited for 0016 until they gave up).
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
