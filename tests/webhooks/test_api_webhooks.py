"""Registering endpoints and reading the delivery log over the API (Kabag Ops only)."""

import pytest

from operations.roles import KABAG_OPS, PIMPINAN
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_save, event_emit

pytestmark = pytest.mark.django_db


@pytest.fixture
def kabag(api_client, make_user):
    user = make_user(KABAG_OPS)
    api_client.force_authenticate(user)
    api_client.user = user
    return api_client


def test_register_an_endpoint_answers_the_secret_once(kabag):
    response = kabag.post(
        "/api/v1/webhooks/",
        {"url": "https://gis.example/hook", "event_types": ["report.verified", "level.changed"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    secret = response.json()["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert len(secret) >= 32 and endpoint.secret == secret and endpoint.created_by == kabag.user
    read = kabag.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert "secret" not in read and read["event_types"] == ["report.verified", "level.changed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://x.example/"}, "url"),
        ({"url": "https://x.example/", "event_types": ["report.eaten"]}, "event_types"),
        ({"url": "https://x.example/", "secret": "short"}, "secret"),
        ({"url": "https://x.example/", "id": 5}, "id"),
    ],
)
def test_bad_registrations_are_400s_naming_the_field(kabag, body, field):
    response = kabag.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.json()


def test_delivery_log_and_redeliver(kabag):
    endpoint_save(endpoint=WebhookEndpoint(url="http://127.0.0.1:9/", secret="s" * 20))
    event_emit(type="report.verified", data={"report": 1})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=9, last_error="HTTP 500")
    rows = kabag.get("/api/v1/webhook-deliveries/", {"status": "failed"}).json()["results"]
    assert [(r["id"], r["event_type"], r["attempts"], r["last_error"]) for r in rows] == [
        (delivery.pk, "report.verified", 9, "HTTP 500")
    ]
    response = kabag.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202 and response.json()["status"] == "pending"


def test_only_the_kabag_ops_manages_webhooks(api_client, make_user):
    api_client.force_authenticate(make_user(PIMPINAN))
    assert api_client.get("/api/v1/webhooks/").status_code == 403
    assert (
        api_client.post("/api/v1/webhooks/", {"url": "https://x.example/"}, format="json").status_code == 403
    )
    assert api_client.get("/api/v1/webhook-deliveries/").status_code == 403
