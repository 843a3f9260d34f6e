"""Police planning data never stays in a shared proxy or a browser cache: no-store, private.

Every answer to a logged-in user (pages, exports, the admin), every answer under /api/ (whoever asks,
whatever the status) carries it; the static files keep WhiteNoise's own caching.
"""

import pytest
from django.urls import reverse

from tests.operations.deployment_setup import build_world

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _page(name, *args):
    return lambda world: reverse(name, args=[a(world) if callable(a) else a for a in args])


def _operation(world):
    return world.operation.pk


def _village(world):
    return world.own[0].pk


SESSION_URLS = {
    "home": _page("home"),
    "dashboard": _page("dashboard", _operation),
    "ranking": _page("ranking", _operation),
    "board": _page("deployment-board", _operation),
    "village": _page("village-detail", _village),
    "ranking csv": _page("ranking-download", _operation, "csv"),
    "ranking xlsx": _page("ranking-download", _operation, "xlsx"),
    "order pdf": _page("deployment-order", _operation, "pdf"),
    "order xlsx": _page("deployment-order", _operation, "xlsx"),
    "order csv": _page("deployment-order", _operation, "csv"),
    "team text": _page("deployment-team-text", _operation, _village),
    "admin": lambda world: "/admin/",
    "admin officers": lambda world: "/admin/operations/officer/",
    "api list": lambda world: "/api/v1/desa/",
    "api order pdf": _page("operation-order", _operation, "pdf"),
    "api ranking": _page("operation-ranking", _operation),
    "api schema": lambda world: "/api/schema/",
    "api docs": lambda world: "/api/docs/",
    "api docs script": lambda world: "/api/docs/?script=",
    "a page that is not found": lambda world: "/no-such-page/",
}


@pytest.mark.parametrize("name", SESSION_URLS)
def test_answers_to_a_logged_in_user_are_never_stored(client, world, name):
    client.force_login(world.kabag)
    response = client.get(SESSION_URLS[name](world))
    assert response.status_code in (200, 404), response.status_code
    assert {"no-store", "private"} <= _directives(response), response.get("Cache-Control")


@pytest.mark.parametrize("name", ["report-list", "report-create"])
def test_polsek_report_pages_are_never_stored(client, world, name):
    client.force_login(world.polsek_user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response), response.get("Cache-Control")


ANONYMOUS_API = [
    ("get", "/api/v1/desa/"),  # 401
    ("get", "/api/v1/no-such-resource/"),  # 404 from Django
    ("get", "/api/v1/desa"),  # 308 to the slash
    ("get", "/api/schema/"),
    ("get", "/api/redoc/"),
    ("post", "/api/v1/auth/token/"),  # 400: no credentials
]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS_API)
def test_api_answers_are_never_stored_whoever_asks(client, db, method, path):
    response = getattr(client, method)(path)
    assert {"no-store", "private"} <= _directives(response), (
        response.status_code,
        response.get("Cache-Control"),
    )


def test_api_answers_to_a_token_are_never_stored(api_client, world):
    api_client.force_authenticate(world.pimpinan)
    response = api_client.get(reverse("operation-ranking", args=[world.operation.pk]))
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_static_files_keep_their_own_caching(client, world):
    client.force_login(world.kabag)
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
