"""Every registered admin opens on the demo data: its list, its search and a row's page, for the
superuser; the Kabag Ops opens every desk list; other roles are sent to the admin login.

The demo is loaded once per module (and per xdist worker) inside a transaction rolled back at the
end; each test runs in a savepoint of it (loading it for each of ~130 tests cost ~1.3 s apiece).
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from tests.test_admin import DESK_APPS, MODEL_IDS, REGISTERED, SEARCHABLE, _url
from villages.models import Desa

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(demo_module, db):
    """The module's demo, under this test's savepoint."""


def _election_day_rows() -> None:
    """The Hari-H demo (check-ins, progress, incidents), a Lapsit snapshot and one dispatched team."""
    from election_day import selectors as day_selectors
    from election_day.models import Incident
    from election_day.services.dispatch import dispatch_confirm

    call_command("load_demo_hari_h", stdout=StringIO())
    call_command("lapsit_snapshot", stdout=StringIO())
    incident = Incident.objects.order_by("pk").first()
    _pool, proposal = day_selectors.dispatch_proposal(incident=incident, size=2)
    dispatch_confirm(
        incident=incident,
        officer_ids=[member.officer_id for member in proposal.team],
        by=get_user_model().objects.get(username="kabagops"),
    )


def _token_row(model):
    """Tokens the admins list: a service account's token, a person's token."""
    from operations.models import PersonToken
    from operations.services.tokens import person_token_create, token_create

    if model is PersonToken:
        person_token_create(user=get_user_model().objects.get(username="kabagops"))
    else:
        token_create(username="gis-polda")
    return model._default_manager.order_by("pk").first()


def _some_row(model):
    """A row to open: from the demo data, else from the model's factory in tests/factories.py."""
    row = model._default_manager.order_by("pk").first()
    if row is not None:
        return row
    if model._meta.app_label == "election_day":
        _election_day_rows()
        return model._default_manager.order_by("pk").first()
    if model._meta.label in ("authtoken.TokenProxy", "operations.PersonToken"):
        return _token_row(model)
    factory = getattr(factories, f"{model.__name__}Factory", None)
    assert factory is not None, f"No demo row and no {model.__name__}Factory: add one to open its admin."
    return factory()


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=MODEL_IDS)
def test_changelist_renders_for_superuser(demo_loaded, admin_client_su, model, model_admin):
    response = admin_client_su.get(_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), SEARCHABLE, ids=[m._meta.label for m, _ in SEARCHABLE])
def test_changelist_search_renders(demo_loaded, admin_client_su, model, model_admin):
    response = admin_client_su.get(_url(model, "changelist"), {"q": "Carenang"})
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=MODEL_IDS)
def test_change_page_renders_for_superuser(demo_loaded, admin_client_su, model, model_admin):
    row = _some_row(model)
    response = admin_client_su.get(_url(model, "change", row.pk))
    assert response.status_code == 200


DESK_ADMINS = [
    (model, model_admin) for model, model_admin in REGISTERED if model._meta.app_label in DESK_APPS
]


@pytest.mark.parametrize(("model", "model_admin"), DESK_ADMINS, ids=[m._meta.label for m, _ in DESK_ADMINS])
def test_demo_kabag_ops_opens_every_desk_changelist(demo_loaded, client, model, model_admin):
    client.force_login(get_user_model().objects.get(username="kabagops"))
    assert client.get(_url(model, "changelist")).status_code == 200


def test_non_staff_roles_are_sent_to_the_admin_login(demo_loaded, client):
    for username in ("kapolres", "polsek.carenang"):
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(_url(Desa, "changelist"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
