"""Writing events into the outbox and delivering them (see the package docstring)."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.signing import signature

# Retries: 30 s, 1 min, 2 min, ... doubling up to an hour apart, for 24 hours after the event.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
# A claimed delivery is left alone by other drains this long (its sender died if it is still due).
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 5
USER_AGENT = "PilkadesOps-Webhook/1"
Status = WebhookDelivery.Status


def secret_generate() -> str:
    return get_random_string(48)


# The active endpoints and their event types, cached: every report, posting and level change asks,
# and most desks register none (no query added to their writes). Cleared by every endpoint write.
ENDPOINTS_CACHE_KEY = "webhooks:endpoints"
ENDPOINTS_CACHE_SECONDS = 60


def endpoints_changed() -> None:
    transaction.on_commit(lambda: cache.delete(ENDPOINTS_CACHE_KEY))
    cache.delete(ENDPOINTS_CACHE_KEY)


def subscribed_endpoint_ids(event_type: str) -> list[int]:
    active = cache.get(ENDPOINTS_CACHE_KEY)
    if active is None:
        active = list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "event_types"))
        cache.set(ENDPOINTS_CACHE_KEY, active, ENDPOINTS_CACHE_SECONDS)
    return [pk for pk, types in active if not types or event_type in types]


def event_emit(*, type: str, data: dict) -> WebhookEvent | None:
    """The event and a pending delivery per subscribed endpoint, in the caller's transaction; the
    drain is queued once that transaction commits (a rolled-back change queues and sends nothing)."""
    endpoint_ids = subscribed_endpoint_ids(type)
    if not endpoint_ids:
        return None
    EventType(type)  # an unknown type is a programming error, raised here in the change's request
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    event = WebhookEvent.objects.create(type=type, payload=payload)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint_id=pk, event=event, next_attempt_at=now) for pk in endpoint_ids
    )
    transaction.on_commit(schedule_drain)
    return event


def schedule_drain(run_after: datetime | None = None) -> None:
    """Queue one drain on the job worker (now, or at ``run_after`` where the backend can defer)."""
    if not settings.PILKADES_WEBHOOKS_SEND:
        return
    from webhooks.tasks import deliver_webhooks_task

    task = deliver_webhooks_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the next event's drain or `manage.py deliver_webhooks` takes the retry
        task = task.using(run_after=run_after)
    from jobs.services import enqueue

    enqueue(task)


def body_of(event: WebhookEvent) -> bytes:
    """The bytes sent (and signed): the same on every retry."""
    document = {
        "id": event.pk,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


@dataclass
class _Outcome:
    delivery: WebhookDelivery
    status_code: int | None
    error: str


class _Sender:
    """One kept-alive connection per host for a drain: a batch to one receiver reuses it."""

    def __init__(self):
        self.connections: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def post(self, url: str, body: bytes, headers: dict) -> int:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            conn = self.connections.get(key)
            if conn is None:
                factory = (
                    http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                )
                conn = self.connections[key] = factory(parts.netloc, timeout=TIMEOUT_SECONDS)
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.will_close:
                    self.close(key)
                return response.status
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the receiver had closed: once more on a new one.
                self.close(key)
                if attempt == 2:
                    raise
            except Exception:
                self.close(key)
                raise
        raise AssertionError("unreachable")

    def close(self, key=None) -> None:
        for k in [key] if key else list(self.connections):
            conn = self.connections.pop(k, None)
            if conn is not None:
                conn.close()


def _claim(now: datetime, batch: int) -> list[WebhookDelivery]:
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:batch])
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return list(WebhookDelivery.objects.filter(pk__in=ids).select_related("endpoint", "event").order_by("pk"))


def _send(sender: _Sender, delivery: WebhookDelivery) -> _Outcome:
    body = body_of(delivery.event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Pilkades-Event": delivery.event.type,
        "X-Pilkades-Delivery": str(delivery.pk),
        "X-Pilkades-Timestamp": str(timestamp),
        "X-Pilkades-Signature": signature(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
    }
    try:
        code = sender.post(delivery.endpoint.url, body, headers)
    except Exception as exc:  # any network failure is a failed attempt, retried
        return _Outcome(delivery, None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= code < 300:
        return _Outcome(delivery, code, "")
    return _Outcome(delivery, code, f"HTTP {code}")


_RECORDED = (
    "status",
    "attempts",
    "next_attempt_at",
    "last_attempt_at",
    "last_status_code",
    "last_error",
    "delivered_at",
)


def _update_rows(deliveries: list[WebhookDelivery]) -> None:
    """One UPDATE run for every row (executemany): bulk_update's CASE per field and row cost more
    than the sending itself (89 events/s drained with it)."""
    quote = connection.ops.quote_name
    fields = [WebhookDelivery._meta.get_field(name) for name in _RECORDED]
    sql = "UPDATE {} SET {} WHERE id = %s".format(
        quote(WebhookDelivery._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields)
    )
    params = [
        [f.get_db_prep_save(getattr(delivery, f.attname), connection) for f in fields] + [delivery.pk]
        for delivery in deliveries
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _record(outcomes: list[_Outcome], now: datetime) -> dict[str, int]:
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for outcome in outcomes:
        delivery = outcome.delivery
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        if not outcome.error:
            delivery.status, delivery.delivered_at = Status.DELIVERED, now
            counts["delivered"] += 1
            continue
        retry_at = now + retry_delay(delivery.attempts)
        if retry_at - delivery.event.created_at > GIVE_UP_AFTER:
            delivery.status = Status.FAILED
            counts["failed"] += 1
        else:
            delivery.next_attempt_at = retry_at
            counts["retrying"] += 1
    _update_rows([o.delivery for o in outcomes])
    return counts


def deliver_due_webhooks(*, batch: int = 200, max_batches: int = 1000) -> dict[str, int]:
    """Send every due delivery (claimed in short transactions, sent outside any), record each
    outcome, and queue a drain for the earliest retry. Returns the counts of this drain."""
    totals = {"delivered": 0, "retrying": 0, "failed": 0}
    sender = _Sender()
    try:
        for _ in range(max_batches):
            now = timezone.now()
            claimed = _claim(now, batch)
            if not claimed:
                break
            outcomes = [_send(sender, delivery) for delivery in claimed]
            for key, value in _record(outcomes, timezone.now()).items():
                totals[key] += value
    finally:
        sender.close()
    if totals["retrying"]:
        earliest = (
            WebhookDelivery.objects.filter(status=Status.PENDING)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if earliest is not None:
            schedule_drain(run_after=earliest)
    return totals


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send again now (a delivered one too: the receiver asked for it); counts attempts on."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status = Status.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    transaction.on_commit(schedule_drain)
    return delivery


@transaction.atomic
def endpoint_save(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Registered or changed by the Kabag Ops (admin or API): checked like any row, a secret made
    when none was given."""
    if not endpoint.secret:
        endpoint.secret = secret_generate()
    endpoint.full_clean()
    endpoint.save()
    endpoints_changed()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
    endpoints_changed()
