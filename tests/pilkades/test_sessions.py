"""Sessions load through one hand-written read (pilkades.sessions), and only while they are alive."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilkades.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _stored(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_the_app_uses_this_store():
    assert settings.SESSION_ENGINE == "pilkades.sessions"


def test_a_live_session_loads_its_data_in_one_read():
    key = _stored(officer="Bripka Andi <b>", count=3)
    store = SessionStore(key)
    with CaptureQueriesContext(connection) as reads:
        assert store["officer"] == "Bripka Andi <b>" and store["count"] == 3
    assert len(reads.captured_queries) == 1
    assert store.session_key == key


def test_an_expired_session_loads_nothing_and_drops_its_key():
    key = _stored(officer="x")
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_key_loads_nothing():
    store = SessionStore("k" * 32)
    assert store.load() == {} and store.session_key is None


def test_a_logged_in_page_and_a_logout_go_through_it(client, make_user):
    user = make_user(None)
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).get("_auth_user_id") == str(user.pk)
    client.post("/accounts/logout/")
    assert SessionStore(key).load() == {}
