"""A session's user is read with his roles in one statement (operations.authentication.ModelBackend)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from pilkades.sessions import SessionStore
from tests.factories import OperationFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("operations.migrations.0016_sessions_name_the_app_backend")


def _board(operation) -> str:
    return f"/api/v1/operations/{operation.pk}/board/"


def test_a_wall_poll_reads_the_session_the_user_with_his_roles_and_the_stamp(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    url = _board(OperationFactory())
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as reads:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    statements = [q["sql"] for q in reads.captured_queries]
    assert len(statements) == 3, statements
    assert "django_session" in statements[0]
    assert "auth_user" in statements[1] and "auth_group" in statements[1]


@pytest.mark.parametrize(("role", "board"), [(KABAG_OPS, 200), (PIMPINAN, 200), (POLSEK, 403), (None, 403)])
def test_the_roles_read_with_the_user_are_his_groups(client, make_user, role, board):
    user = make_user(role)
    client.force_login(user)
    response = client.get(_board(OperationFactory()))
    assert response.status_code == board
    assert response.wsgi_request.user == user


def test_a_deactivated_user_loses_his_session_at_the_next_request(client, make_user):
    user = make_user(KABAG_OPS)
    client.force_login(user)
    url = _board(OperationFactory())
    assert client.get(url).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(url)
    assert response.status_code in (401, 403) and response.wsgi_request.user.is_anonymous


def test_a_session_of_a_deleted_user_is_anonymous(client):
    store = SessionStore()
    store.update({"_auth_user_id": "999999999", BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1]})
    store.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    response = client.get(_board(OperationFactory()))
    assert response.status_code in (401, 403) and response.wsgi_request.user.is_anonymous


def test_sessions_made_before_the_upgrade_keep_their_user(client, make_user):
    user = make_user(KABAG_OPS)
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    stored = SessionStore(key)
    stored[BACKEND_SESSION_KEY] = MIGRATION.OLD  # as a login before the upgrade saved it
    stored.save()
    url = _board(OperationFactory())
    assert client.get(url).wsgi_request.user.is_anonymous, "the old name is no longer listed"
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    other = SessionStore()
    other.update({"note": "tanpa login"})
    other.create()
    MIGRATION.forwards(apps, SimpleNamespace(connection=connection))
    assert SessionStore(key)[BACKEND_SESSION_KEY] == MIGRATION.NEW == settings.AUTHENTICATION_BACKENDS[-1]
    assert SessionStore(other.session_key).load() == {"note": "tanpa login"}
    assert client.get(url).wsgi_request.user == user
