"""Webhooks through the outbox, against a local receiver (http.server in a thread): signed
deliveries, retries of a failing receiver, nothing sent for a rolled-back change, the desk's events."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from operations.models import Duty
from operations.services.assignments import assignment_create, assignment_delete
from operations.services.reports import report_create, report_return, report_submit, report_verify
from tests.operations import deployment_setup, risk_setup
from webhooks import signing
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import (
    GIVE_UP_AFTER,
    deliver_due_webhooks,
    delivery_redeliver,
    endpoint_save,
    event_emit,
)

pytestmark = pytest.mark.django_db
SECRET = "rahasia-uji-" + "x" * 20


class Receiver:
    """Answers each POST with the next planned status (200 once the plan runs out), keeps what came."""

    def __init__(self, plan: list[int] | None = None):
        self.plan = list(plan or [])
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.plan.pop(0) if receiver.plan else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _endpoint(url: str, **fields) -> WebhookEndpoint:
    return endpoint_save(endpoint=WebhookEndpoint(url=url, secret=SECRET, **fields))


def test_delivery_is_signed_and_the_signature_verifies(receiver):
    _endpoint(receiver.url)
    event = event_emit(type="report.verified", data={"report": 7})
    assert deliver_due_webhooks() == {"delivered": 1, "retrying": 0, "failed": 0}
    ((headers, body),) = receiver.received
    assert headers["X-Pilkades-Event"] == "report.verified"
    assert json.loads(body) == {
        "id": event.pk,
        "type": "report.verified",
        "created_at": event.created_at.isoformat(),
        "data": {"report": 7},
    }
    timestamp, signature = headers["X-Pilkades-Timestamp"], headers["X-Pilkades-Signature"]
    assert signing.verify(secret=SECRET, timestamp=timestamp, body=body, signature_header=signature)
    # A changed body, another secret or a replay outside the window do not verify.
    assert not signing.verify(
        secret=SECRET, timestamp=timestamp, body=body + b" ", signature_header=signature
    )
    assert not signing.verify(secret="lain", timestamp=timestamp, body=body, signature_header=signature)
    late = int(timestamp) + signing.REPLAY_WINDOW + 1
    assert not signing.verify(
        secret=SECRET, timestamp=timestamp, body=body, signature_header=signature, now=late
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_failing_receiver_is_retried_with_growing_waits_then_delivered(receiver):
    receiver.plan = [500, 503]
    _endpoint(receiver.url)
    event_emit(type="assignment.created", data={"assignment": 1})
    assert deliver_due_webhooks()["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    first_wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert deliver_due_webhooks()["delivered"] == 0  # not yet due
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due_webhooks()["retrying"] == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - delivery.last_attempt_at == 2 * first_wait
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due_webhooks()["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, "")
    ids = {headers["X-Pilkades-Delivery"] for headers, _ in receiver.received}
    assert len(receiver.received) == 3 and ids == {str(delivery.pk)}  # the same id on every retry


def test_a_receiver_that_never_answers_is_given_up_after_24_hours():
    _endpoint("http://127.0.0.1:9/unreachable")  # the discard port: connection refused
    event = event_emit(type="assignment.created", data={})
    assert deliver_due_webhooks()["retrying"] == 1
    WebhookEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - GIVE_UP_AFTER)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due_webhooks()["failed"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "Connection" in delivery.last_error


def test_redeliver_sends_again(receiver):
    _endpoint(receiver.url)
    event_emit(type="report.returned", data={})
    deliver_due_webhooks()
    delivery_redeliver(delivery=WebhookDelivery.objects.get())
    assert deliver_due_webhooks()["delivered"] == 1
    assert len(receiver.received) == 2 and WebhookDelivery.objects.get().attempts == 2


def test_endpoints_get_only_the_types_they_asked_for(receiver):
    _endpoint(receiver.url, event_types=["report.verified"])
    _endpoint(receiver.url + "/off", is_active=False)
    assert event_emit(type="assignment.created", data={}) is None
    event_emit(type="report.verified", data={})
    assert WebhookDelivery.objects.count() == 1


def test_a_rolled_back_change_sends_nothing(receiver, make_user, django_capture_on_commit_callbacks):
    _endpoint(receiver.url)
    world = risk_setup.build_world(make_user)
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=risk_setup.answers(split_camps=True)
    )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_submit(report=report, by=world.polsek)
        raise RuntimeError("rolled back")
    assert callbacks == [] and not WebhookEvent.objects.exists()
    assert deliver_due_webhooks()["delivered"] == 0 and receiver.received == []


def test_a_committed_change_is_delivered_by_the_job_it_queues(
    settings, receiver, make_user, django_capture_on_commit_callbacks
):
    settings.PILKADES_WEBHOOKS_SEND = True
    # The tests' job backend runs a queued task at once: the commit queues the drain, the drain sends.
    _endpoint(receiver.url)
    world = risk_setup.build_world(make_user)
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=risk_setup.answers(split_camps=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=report, by=world.polsek)
    assert [h["X-Pilkades-Event"] for h, _ in receiver.received] == ["report.submitted"]


def test_the_desk_emits_its_events(make_user):
    _endpoint("http://127.0.0.1:9/")
    world = risk_setup.build_world(make_user)
    village = world.own[0]
    first = report_create(
        village_election=village, author=world.polsek, answers=risk_setup.answers(split_camps=True)
    )
    report_verify(report=report_submit(report=first, by=world.polsek), by=world.kabag)
    second = report_create(village_election=village, author=world.polsek, answers=risk_setup.answers())
    report_return(
        report=report_submit(report=second, by=world.polsek), by=world.kabag, reason="Tambah bukti."
    )
    types = list(WebhookEvent.objects.order_by("pk").values_list("type", flat=True))
    assert types == [
        "report.submitted",
        "report.verified",
        "level.changed",
        "report.submitted",
        "report.returned",
    ]
    level = WebhookEvent.objects.get(type="level.changed").payload
    assert level["village_election"] == village.pk and level["previous_level"] is None

    deployment = deployment_setup.build_world(make_user)
    (officer,) = deployment_setup.officers(deployment.polres, 1)
    posting = assignment_create(
        operation=deployment.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=deployment.own[0],
        by=deployment.kabag,
    )
    posting_id = posting.pk
    assignment_delete(assignment=posting, by=deployment.kabag)
    created, removed = WebhookEvent.objects.order_by("-pk")[1], WebhookEvent.objects.order_by("-pk")[0]
    assert (created.type, removed.type) == ("assignment.created", "assignment.removed")
    assert created.payload["assignment"] == removed.payload["assignment"] == posting_id


def test_an_endpoint_registered_after_an_event_gets_the_next_one(receiver):
    # The endpoint list is cached for the services; registering one clears it.
    assert event_emit(type="report.verified", data={}) is None
    _endpoint(receiver.url)
    assert event_emit(type="report.verified", data={}) is not None


def test_admin_redeliver_action(client, make_user, receiver):
    from django.urls import reverse

    from operations.roles import KABAG_OPS

    client.force_login(make_user(KABAG_OPS, is_staff=True))
    _endpoint(receiver.url)
    event_emit(type="report.verified", data={})
    deliver_due_webhooks()
    delivery = WebhookDelivery.objects.get()
    response = client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_an_endpoint_typed_without_a_scheme_in_the_admin_is_kept_as_https(client, superuser):
    # Django's form field would prefix http:// (and warns that this changes in Django 6.0): a hook
    # receiver's address typed bare should not send signed events in clear text.
    from django.urls import reverse

    client.force_login(superuser)
    response = client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "url": "hooks.polda.example/pilkades",
            "description": "Polda",
            "secret": "rahasia-" * 4,
            "event_types": "[]",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WebhookEndpoint.objects.get().url == "https://hooks.polda.example/pilkades"
