"""Backups: the demo survives dumpdata → flush → loaddata with every row and every value intact.

The dump is the portable backup of the README ("Cadangan dan pemulihan"): natural keys for
content types and permissions (rebuilt by flush with new ids), everything else by primary key.
"""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token

from election_day.models import Incident
from election_day.selectors import dispatch_proposal
from election_day.services.dispatch import dispatch_confirm
from operations.models import Duty, Officer, Operation, Unit
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from operations.services.tokens import person_token_create, token_create
from villages.models import VillageElection

pytestmark = pytest.mark.django_db

# Rebuilt by migrate/flush, or not worth restoring (sessions, login attempts, admin log).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
]
SEEDED_WITHOUT_HISTORY = {
    "operations.HistoricalRiskIndicator",
    "operations.HistoricalLevelThreshold",
    "operations.HistoricalSecurityPattern",
    "election_day.HistoricalIncidentCategory",
}
# Incident photos are files: the README's drill backs them up with the media folder, not the dump.
NOT_IN_THIS_WORLD = {"election_day.IncidentPhoto", "election_day.HistoricalIncidentPhoto"}
DUMP_ARGS = ["--natural-foreign", *[arg for label in EXCLUDED for arg in ("--exclude", label)]]


def _domain_models() -> list:
    models = [
        model
        for app in ("villages", "operations", "election_day")
        for model in apps.get_app_config(app).get_models()
    ]
    return [*models, get_user_model(), Group, Token]


def _snapshot() -> dict[str, list[tuple]]:
    """Every concrete column of every domain row, plus the role and permission links by name."""
    snapshot = {}
    for model in _domain_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        snapshot[model._meta.label] = sorted(model.objects.values_list(*columns), key=repr)
    snapshot["user groups"] = sorted(
        get_user_model().objects.values_list("username", "groups__name"), key=repr
    )
    snapshot["group permissions"] = sorted(
        Group.objects.values_list("name", "permissions__content_type__app_label", "permissions__codename"),
        key=repr,
    )
    return snapshot


def _load_world() -> None:
    call_command("load_demo", stdout=StringIO())
    operation = Operation.objects.get()
    kabag = get_user_model().objects.get(username="kabagops")
    village = VillageElection.objects.get(desa__code="36.04.17.2010")
    officer = (
        Officer.objects.for_village_duty()
        .filter(unit=Unit.objects.get(name="Polsek Carenang"), user__isnull=True)
        .exclude(home_desa=village.desa)
        .order_by("nrp")
        .first()
    )
    assignment_create(
        operation=operation, officer=officer, duty=Duty.VILLAGE_GUARD, village_election=village, by=kabag
    )
    proposal_create(operation=operation, by=kabag)
    token_create(username="dasbor.polda")
    person_token_create(user=kabag)
    call_command("load_demo_hari_h", stdout=StringIO())
    call_command("lapsit_snapshot", stdout=StringIO())
    incident = Incident.objects.order_by("pk").first()
    _pool, team = dispatch_proposal(incident=incident, size=2)
    dispatch_confirm(incident=incident, officer_ids=[member.officer_id for member in team.team], by=kabag)


def test_demo_survives_dumpdata_flush_loaddata(tmp_path):
    _load_world()
    before = _snapshot()
    # Every table holds rows, so the comparison covers every model; the catalogues seeded by a
    # migration have no history rows (migrations write none).
    empty = {label for label, rows in before.items() if not rows}
    assert empty <= SEEDED_WITHOUT_HISTORY | NOT_IN_THIS_WORLD, empty

    # XML, not JSON: Django's JSON encoder cuts timestamps to milliseconds, so every audit-trail
    # time would come back changed.
    dump = tmp_path / "cadangan.xml"
    call_command("dumpdata", *DUMP_ARGS, "--format", "xml", "--output", str(dump), verbosity=0)
    if connection.vendor == "postgresql":
        # The test runs in a transaction: PostgreSQL refuses to TRUNCATE (flush) tables with
        # deferred foreign-key checks still pending, so run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        # Back to deferred checks, as in a fresh transaction: loaddata writes rows in any order and
        # checks every foreign key at its end.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert not get_user_model().objects.exists()
    assert not Operation.objects.exists()

    call_command("loaddata", str(dump), verbosity=0)
    after = _snapshot()
    lost = [label for label in before if before[label] != after[label]]
    assert not lost, lost
