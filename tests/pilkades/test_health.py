"""Health for load balancers (/healthz, /readyz), the 500 page, and 503 when the database is down."""

import json

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from pilkades import health


@pytest.fixture
def database_down(db, monkeypatch):
    """Every query fails as with PostgreSQL stopped (the connection itself is already open).

    Undone here rather than by monkeypatch, which may be torn down after the test database's own
    teardown (which queries).
    """

    def refuse(*args, **kwargs):
        raise OperationalError(
            'connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused'
        )

    monkeypatch.setattr(health, "_migrations_applied", False)
    saved = CursorWrapper.execute, CursorWrapper.executemany
    CursorWrapper.execute = CursorWrapper.executemany = refuse
    yield
    CursorWrapper.execute, CursorWrapper.executemany = saved


def test_healthz_answers_without_database_login_or_known_host(database_down, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        # A load balancer probes by address, over plain HTTP.
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_is_ready_when_the_database_answers_and_migrations_are_applied(db):
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_is_503_without_detail_when_the_database_is_down(database_down, caplog):
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert response.content == b"not ready"
    assert "10.0.0.5" in caplog.text  # the reason goes to the log, not to the prober


def test_readyz_is_503_with_migrations_not_applied(db, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "_unapplied_migrations", lambda: ["operations.0099_future"])
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert b"0099" not in response.content


def test_readyz_is_503_when_the_cache_does_not_answer(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(health, "_cache_answers", broken)
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert b"redis" not in response.content


def test_api_answers_503_in_its_json_shape_when_the_database_is_down(database_down):
    client = Client(raise_request_exception=False)
    response = client.get(reverse("operation-list"), HTTP_AUTHORIZATION="Token abc")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    body = json.loads(response.content)
    assert set(body) == {"detail"}
    assert "10.0.0.5" not in body["detail"]


def test_a_page_answers_a_styled_503_when_the_database_is_down(database_down):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32  # the session lookup is what fails
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Basis data sedang tidak dapat dihubungi" in page
    assert "10.0.0.5" not in page


def test_the_500_page_is_styled_indonesian_and_needs_no_database(client, db, django_assert_num_queries):
    from django.views import defaults

    with django_assert_num_queries(0):
        response = defaults.server_error(client.get("/").wsgi_request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan pada server" in page
    assert "<style>" in page
