import os

import pytest
from rest_framework.test import APIClient

from operations.models import Unit
from operations.roles import KABAG_OPS, POLSEK
from tests.factories import OfficerFactory, UnitFactory, UserFactory

TEST_PASSWORD = "Sandi-Uji-12345"


@pytest.fixture
def make_user(db):
    """make_user(role, unit=None, **user_fields): a user in that group, linked to an officer.

    Without a unit the officer belongs to a fresh Polsek (role Polsek) or Polres HQ (others);
    role None gives a user in no group. The password is ``TEST_PASSWORD``.
    """

    def make(role: str | None, unit: Unit | None = None, **user_fields):
        if unit is None:
            kind = Unit.Kind.POLSEK if role == POLSEK else Unit.Kind.POLRES
            unit = UnitFactory(kind=kind)
        user_fields.setdefault("is_staff", role == KABAG_OPS)
        user = UserFactory(role=role, **user_fields)
        OfficerFactory(unit=unit, user=user)
        return user

    return make


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_su(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo, loaded once per test module (and xdist worker) inside a transaction rolled back at
    the module's end: a test that also asks for ``db`` runs in a savepoint of it."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need real row locks and concurrent transactions; ``redis`` a Redis server.

    Skipped at collection, not in a fixture: a skipped transactional test would still set up and
    flush the database, and the next test on that worker would start from an emptied one.
    """
    from django.conf import settings

    skips = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skips["postgres"] = "needs PostgreSQL (row locks, concurrent transactions): set DATABASE_URL"
    if not os.environ.get("REDIS_URL"):
        skips["redis"] = "needs a Redis server shared between processes: set REDIS_URL"
    for item in items:
        for marker, reason in skips.items():
            if item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
        # A parameter named like a browser fixture ("page") gives a database test the browser's
        # session parameter; pytest then regroups it with the transactional browser tests, and the
        # tests after them on that worker start from flushed tables.
        if "browser_name" in getattr(item, "fixturenames", ()) and item.get_closest_marker("e2e") is None:
            raise pytest.UsageError(f"{item.nodeid} uses a browser fixture but is not marked e2e")


def pytest_terminal_summary(terminalreporter):
    """Show the schema fuzzing counts (cases per role) in every run, not only with -s."""
    lines = [
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == "fuzz_summary"
    ]
    if lines:
        terminalreporter.write_sep("-", "schema fuzzing (schemathesis)")
        terminalreporter.write_line("\n".join(lines))


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker is not None and marker.kwargs.get("transaction")) or any(
        name in getattr(item, "fixturenames", ()) for name in ("transactional_db", "live_server")
    )


def _seed() -> None:
    """The migrations' seed rows (indicator catalogue, thresholds, pattern sets, positions and
    capabilities, incident categories, role groups); each seeding leaves existing rows alone."""
    from django.apps import apps as django_apps

    from election_day.seed import seed_incident_categories
    from operations.roles import sync_role_groups
    from operations.seed import seed_catalogues, seed_command_catalogues

    seed_catalogues(django_apps)
    seed_command_catalogues(django_apps)
    seed_incident_categories(django_apps)
    sync_role_groups(django_apps)


@pytest.fixture(autouse=True)
def _reseed_after_flush(request):
    """A transactional test starts from the tables the one before it flushed: seed them (after the
    database's own restore, for a test with ``serialized_rollback``)."""
    if _transactional(request.node):
        request.getfixturevalue("transactional_db")
        _seed()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test flushes every table when it ends, the seed rows included. When a plain
    test follows on this worker, seed them at once: pytest-django runs transactional tests last,
    but a worker stealing work (xdist) may take plain ones after them, and running one folder of
    tests with two workers had 130 of them fail on the missing rows. (A transactional test that
    follows seeds for itself: one restoring a serialized database must find the tables empty.)"""
    yield
    if nextitem is None or not _transactional(item) or _transactional(nextitem):
        return  # nothing flushed, the session ends, or the next test seeds after its own set-up
    from pytest_django.plugin import blocking_manager_key  # the lock file pins pytest-django

    with item.config.stash[blocking_manager_key].unblock():
        _seed()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test may leave pages under ids reused next."""
    from django.core.cache import cache, caches

    for each in (cache, caches["process"], caches["throttle_leases"]):
        each.clear()
    yield
    for each in (cache, caches["process"], caches["throttle_leases"]):
        each.clear()


@pytest.fixture(autouse=True)
def _language_restored():
    """A request answered in English leaves English active on the test's thread (LocaleMiddleware
    activates a language per request; nothing deactivates it after): the next test on that worker
    read the services' messages in English ("bukan foto" not in "…not a valid photo…")."""
    yield
    from django.utils import translation

    translation.deactivate()
