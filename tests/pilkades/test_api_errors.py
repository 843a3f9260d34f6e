"""The shared error shape: documented on every operation from what its view can do, JSON everywhere."""

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR_REF = "#/components/schemas/ApiError"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _responses(schema, path: str, method: str) -> dict:
    return schema["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        # Filters give 400, the page number 404, authentication 401/403, throttling 429.
        ("/api/v1/desa/", "get", {"200", "400", "401", "403", "404", "429"}),
        # No query parameters: nothing to be invalid; the id can miss.
        ("/api/v1/desa/{id}/", "get", {"200", "401", "403", "404", "429"}),
        # Open to anyone: bad credentials, a superuser refused, too many attempts or locked.
        ("/api/v1/auth/token/", "post", {"200", "400", "403", "429"}),
        # Logging out needs the person token being revoked (400 is documented for every write).
        ("/api/v1/auth/token/revoke/", "post", {"204", "400", "401", "403", "429"}),
        ("/api/v1/assignments/{id}/", "delete", {"204", "400", "401", "403", "404", "429"}),
        ("/api/v1/proposals/{id}/apply/", "post", {"200", "400", "401", "403", "404", "409", "429"}),
    ],
)
def test_each_operation_documents_the_errors_its_view_can_give(schema, path, method, codes):
    assert set(_responses(schema, path, method)) == codes


def test_every_error_answer_is_documented_as_json(schema):
    undocumented = [
        f"{method.upper()} {path} {code}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for code, response in operation["responses"].items()
        if code.startswith("4") and "application/json" not in response.get("content", {})
    ]
    assert undocumented == []


def test_errors_use_the_shared_shape_unless_the_view_documents_its_own(schema):
    apply = _responses(schema, "/api/v1/proposals/{id}/apply/", "post")
    assert apply["404"]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
    # The view's own 409 body ({detail, code}) stays.
    assert apply["409"]["content"]["application/json"]["schema"]["$ref"] != ERROR_REF
    assert set(schema["components"]["schemas"]["ApiError"]["required"]) == {"detail"}


def test_throttled_answer_documents_retry_after(schema):
    assert "Retry-After" in _responses(schema, "/api/v1/desa/", "get")["429"]["headers"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-resource/",
        # <int:operation_id> does not match, so no API view is reached.
        "/api/v1/operations/abc/order.pdf",
        "/api/v1/operations/1/order.docx",
    ],
)
def test_api_path_no_route_matches_answers_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_page_path_no_route_matches_keeps_the_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- answers Django itself gives, before or outside any API view -------------------------------

TOKEN_URL = "/api/v1/auth/token/"


def _assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.mark.parametrize("depth", [5000, 200])
def test_deeply_nested_json_is_a_400_not_a_crash(client, db, depth):
    response = client.post(TOKEN_URL, "[" * depth + "]" * depth, content_type="application/json")
    body = _assert_json_error(response, 400)
    assert "terlalu dalam" in body["detail"]


def test_unterminated_deep_json_is_a_400_not_a_crash(client, db):
    response = client.post(TOKEN_URL, "[" * 5000, content_type="application/json")
    _assert_json_error(response, 400)


def test_malformed_json_is_a_json_400_in_indonesian(client, db):
    response = client.post(TOKEN_URL, "{bad", content_type="application/json")
    body = _assert_json_error(response, 400)
    assert body["detail"].startswith("JSON tidak valid")


def test_body_over_the_upload_limit_is_a_json_413(client, db):
    body = '{"username": "' + "x" * 3_000_000 + '"}'
    response = client.post(TOKEN_URL, body, content_type="application/json")
    _assert_json_error(response, 413)


def test_too_many_form_fields_is_a_json_400(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = "&".join(f"f{i}=1" for i in range(20))
    response = client.post(TOKEN_URL, data, content_type="application/x-www-form-urlencoded")
    _assert_json_error(response, 400)


def test_api_request_for_an_unknown_host_is_a_json_400(client, db):
    _assert_json_error(client.get("/api/v1/desa/", HTTP_HOST="evil.example"), 400)


def test_page_request_for_an_unknown_host_keeps_the_html_400(client, db):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["post", "get", "put", "delete"])
def test_api_path_without_trailing_slash_redirects_keeping_the_method(client, db, method):
    response = client.generic(
        method.upper(), "/api/v1/auth/token", '{"username": "a"}', content_type="application/json"
    )
    body = _assert_json_error(response, 308)
    assert response["Location"] == TOKEN_URL
    assert TOKEN_URL in body["detail"]


def test_api_redirect_keeps_the_query_string(client, db):
    response = client.get("/api/v1/desa?page=2")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/desa/?page=2"


def test_page_path_without_trailing_slash_keeps_the_ordinary_redirect(client, db):
    response = client.get("/accounts/login")
    assert response.status_code == 301
    assert response["Location"] == "/accounts/login/"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/api/schema/"])
def test_docs_refusing_a_method_answer_json(client, db, path):
    _assert_json_error(client.post(path, "{}", content_type="application/json"), 405)


def test_unhandled_error_in_the_api_is_a_json_500(db, make_user, monkeypatch):
    from django.test import Client

    from operations.api.organisation import KecamatanViewSet

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(KecamatanViewSet, "list", explode)
    client = Client(raise_request_exception=False)
    client.force_login(make_user("Pimpinan"))
    body = _assert_json_error(client.get("/api/v1/kecamatan/"), 500)
    assert "boom" not in body["detail"]


def test_permission_denied_outside_a_view_is_json_on_the_api(client, db, settings):
    import re

    settings.DISALLOWED_USER_AGENTS = [re.compile("badbot")]
    _assert_json_error(client.get("/api/v1/desa/", HTTP_USER_AGENT="badbot/1.0"), 403)
    page = client.get("/accounts/login/", HTTP_USER_AGENT="badbot/1.0")
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def _api_views():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and route.lstrip("^").startswith("api/"):
                yield route, entry.callback

    return list(walk(get_resolver().url_patterns, ""))


def test_every_api_view_parses_json_with_the_guarded_parser():
    """A view naming its own parsers (DRF's token view does) must not bring back the 500."""
    from rest_framework.parsers import JSONParser as DrfJSONParser

    from pilkades.parsers import JSONParser

    unguarded = []
    for route, callback in _api_views():
        view_class = getattr(callback, "cls", None)
        if view_class is None:
            continue
        initkwargs = getattr(callback, "initkwargs", {})
        parsers = initkwargs.get("parser_classes", view_class.parser_classes)
        if any(issubclass(p, DrfJSONParser) and not issubclass(p, JSONParser) for p in parsers):
            unguarded.append(route)
    assert unguarded == []
