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
        # Open to anyone and unthrottled (the lockout guards it): only bad credentials.
        ("/api/v1/auth/token/", "post", {"200", "400"}),
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
