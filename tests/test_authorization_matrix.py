"""The authorization matrix: every URL pattern of the project × every role × every method.

The URL list comes from the resolver, so a new endpoint without a row in EXPECTED fails here.
Objects in the URLs lie in Polsek A's jurisdiction (Polsek Carenang: Desa Mekarsari, its village
election, candidates and a report written by polsek.carenang), so each row also checks the
object-level rule: Polsek B (Tirtayasa) never reads or changes them.

An outcome is "allowed" when the answer is neither 401/403/404/405 nor a redirect to a login page;
bodies are empty, so a write that is allowed usually ends in 400 — which proves that the
permission check came before validation. Nothing may answer 5xx.

The demo is loaded once for the module inside a transaction that is rolled back at the end; each
request runs in a savepoint that is rolled back, so writes never leak into the next case.
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from election_day.models import Dispatch, IncidentCategory, StageWindow, VillageProgress
from election_day.services.checkins import checkin_record
from election_day.services.incidents import incident_report
from election_day.services.lapsit import lapsit_snapshot_take
from election_day.services.progress import progress_record
from jobs.models import Job
from operations.demo import LOGINS
from operations.models import (
    BkoContingent,
    Capability,
    Duty,
    LevelThreshold,
    Officer,
    Operation,
    PatternSet,
    PersonToken,
    Position,
    RiskIndicator,
    RiskReport,
    Unit,
    VillageRisk,
    VillageStanding,
)
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK, permission_matches
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from operations.services.tokens import person_token_create, token_create
from villages.models import Candidate, Desa, Kabupaten, VillageElection
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_save, event_emit

# The marker makes pytest-django create the test database; the module's own transaction (below)
# holds the demo, and each test's transaction nests inside it.
pytestmark = pytest.mark.django_db

# --- roles ----------------------------------------------------------------------------------------

ANON, POLSEK_A, POLSEK_B, KABAG, PIMP, TOKEN = (
    "anonymous",
    "polsek_a",
    "polsek_b",
    "kabag_ops",
    "pimpinan",
    "token",
)
ROLES = (ANON, POLSEK_A, POLSEK_B, KABAG, PIMP, TOKEN)
# The demo login behind each session role; the token role has no session at all.
DEMO_USERNAMES = {
    POLSEK_A: "polsek.carenang",
    POLSEK_B: "polsek.tirtayasa",
    KABAG: "kabagops",
    PIMP: "kapolres",
}
GROUP_OF = {POLSEK_A: POLSEK, POLSEK_B: POLSEK, KABAG: KABAG_OPS, PIMP: PIMPINAN, TOKEN: PIMPINAN}
SERVICE_USERNAME = "dasbor.polda"

NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(ROLES)
SESSION = frozenset({POLSEK_A, POLSEK_B, KABAG, PIMP})  # a logged-in browser
API_USERS = SESSION | {TOKEN}  # any authenticated caller of the API
POLSEKS = frozenset({POLSEK_A, POLSEK_B})
HQ = frozenset({KABAG, PIMP})  # pages: leadership and operations staff
HQ_API = HQ | {TOKEN}  # the service token carries the Pimpinan role
OPS = frozenset({KABAG})
# Object-level: villages, reports and candidates of Polsek A are visible to their Polsek and HQ only.
A_AND_HQ_API = HQ_API | {POLSEK_A}

API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PAGE_METHODS = ("GET", "POST")


def rw(*, get=NOBODY, post=NOBODY, put=NOBODY, patch=NOBODY, delete=NOBODY) -> dict[str, frozenset]:
    """Roles allowed per method; a method left out is refused to everyone."""
    return {"GET": get, "POST": post, "PUT": put, "PATCH": patch, "DELETE": delete}


def same(roles: frozenset) -> dict[str, frozenset]:
    """A view that answers GET and POST alike (it ignores the method)."""
    return rw(get=roles, post=roles)


def read_only(roles: frozenset) -> dict[str, frozenset]:
    return rw(get=roles)


# --- pages and API: the explicit table -------------------------------------------------------------

EXPECTED: dict[str, dict[str, frozenset]] = {
    # Pages. Views without a method guard render the same for GET and POST.
    "home": same(SESSION),
    "report-list": same(POLSEKS),
    "report-create": same(POLSEKS),
    "report-edit": same(frozenset({POLSEK_A})),  # only the author's own report
    "report-review": same(OPS),
    "notices": read_only(POLSEKS | OPS),  # the nav badge's count: each sees only his own
    "report-verify": rw(post=OPS),
    "report-return": rw(post=OPS),
    "ranking-latest": same(HQ),
    "ranking": same(HQ),
    "ranking-download": same(HQ),
    "village-detail": same(HQ),
    "village-override": rw(post=OPS),
    "deployment-latest": same(HQ),
    "deployment-board": same(HQ),
    "deployment-add": same(OPS),
    "deployment-team-leader": rw(post=OPS),
    "deployment-team-text": same(HQ),
    "deployment-team": same(HQ),  # one village's team, fetched when the board opens it
    "deployment-remove": same(OPS),  # GET asks for confirmation, POST releases
    "deployment-undo": rw(post=OPS),
    "personnel-page": same(HQ),
    "deployment-propose": rw(post=OPS),
    "deployment-proposal": same(HQ),
    "deployment-proposal-apply": rw(post=OPS),
    "deployment-proposal-discard": rw(post=OPS),
    "deployment-order": same(HQ),
    "dashboard-latest": same(HQ),
    "dashboard": same(HQ),
    # Hari-H pages: every desk login has an officer record; the services refuse what is not his, and
    # the POST pages answer that with a message and a redirect.
    "field-home": same(SESSION),
    "field-check-in": rw(post=SESSION),
    "field-progress": rw(post=SESSION),
    "field-incident": same(SESSION),
    # The field app offline: the queue page is a shell filled from the phone; the manifest and the
    # service worker hold no data and are fetched by the browser itself (without cookies, for the manifest).
    "field-queue": same(SESSION),
    "field-session": read_only(EVERYONE),  # who is logged in: the user's own id, or null
    "field-sw": read_only(EVERYONE),
    "field-manifest": read_only(EVERYONE),
    "posko-latest": same(HQ),
    "posko-board": same(HQ),
    "lapsit": same(HQ),
    "operation-close-page": rw(post=OPS),
    # Load balancer probes: no login, no data ("ok" / "not ready"), any method.
    "healthz": same(EVERYONE),
    "readyz": same(EVERYONE),
    # Login pages are for everyone; logging out takes a POST.
    "login": same(EVERYONE),
    "logout": rw(post=EVERYONE),
    "set_language": same(EVERYONE),
    "favicon": same(EVERYONE),  # a redirect to the static icon
    # The OpenAPI description holds no data: public, so tools can read it before holding a token.
    "schema": read_only(EVERYONE),
    "api-docs": read_only(EVERYONE),
    "api-redoc": read_only(EVERYONE),
    # API.
    "api-root": read_only(API_USERS),
    "api-token": rw(post=EVERYONE),  # username and password in, token out
    # Only a person token revokes itself; no role here holds one (the service token is refused).
    "api-token-revoke": rw(),
    "kecamatan-list": read_only(API_USERS),
    "kecamatan-detail": read_only(API_USERS),  # the region list is public data
    # Setup data: the Kabag Ops writes (a person, or a service account in his role; the matrix's
    # service token holds the Pimpinan role and only reads).
    "election-list": rw(get=API_USERS, post=OPS),
    "election-detail": rw(get=API_USERS, put=OPS, patch=OPS),
    "desa-list": read_only(API_USERS),
    "desa-detail": rw(get=A_AND_HQ_API, put=OPS, patch=OPS),
    "village-election-list": rw(get=API_USERS, post=OPS),
    "village-election-detail": rw(get=A_AND_HQ_API, put=OPS, patch=OPS),
    "village-election-override": rw(post=OPS, delete=OPS),
    "candidate-list": rw(get=API_USERS, post=OPS),
    "candidate-detail": rw(get=A_AND_HQ_API, put=OPS, patch=OPS),
    "unit-list": rw(get=API_USERS, post=OPS),
    "unit-detail": rw(get=API_USERS, put=OPS, patch=OPS),
    "officer-list": rw(get=HQ_API, post=OPS),
    "officer-detail": rw(get=HQ_API, put=OPS, patch=OPS),
    "officer-bulk": rw(post=OPS),
    # The other bulk writes (operations/api/bulk.py): the Kabag Ops only, like their single writes.
    "risk-report-bulk-decide": rw(post=OPS),
    "assignment-bulk": rw(post=OPS),
    "village-election-bulk": rw(post=OPS),
    "candidate-bulk": rw(post=OPS),
    # The changes feed reads every resource: HQ (the service token too), as the officer list.
    "changes": read_only(HQ_API),
    # A job: the user who started it, and for an export whoever may make it himself (the matrix's
    # job here is the Pimpinan's ranking export, so HQ). Its pages take a session, not a token.
    "job-detail": read_only(HQ_API),
    "job-api-file": read_only(HQ_API),
    "job-page": read_only(HQ),
    "job-page-status": read_only(HQ),
    "job-file": read_only(HQ),
    # The ranking download for programs: HQ, as the page's (above the threshold it answers 202).
    "operation-ranking-file": read_only(HQ_API),
    # Webhooks: endpoints (URLs and secrets) and their delivery log are the Kabag Ops' alone.
    "webhook-list": rw(get=OPS, post=OPS),
    "webhook-detail": rw(get=OPS, put=OPS, patch=OPS, delete=OPS),
    "webhook-delivery-list": read_only(OPS),
    "webhook-delivery-detail": read_only(OPS),
    "webhook-delivery-redeliver": rw(post=OPS),
    "operation-list": rw(get=API_USERS, post=OPS),
    "operation-detail": rw(get=API_USERS, put=OPS, patch=OPS),
    "jurisdiction-list": rw(get=HQ_API, post=OPS),
    "jurisdiction-detail": rw(get=HQ_API, put=OPS, patch=OPS, delete=OPS),
    "bko-contingent-list": rw(get=HQ_API, post=OPS),
    "bko-contingent-detail": rw(get=HQ_API, put=OPS, patch=OPS),
    # A Polsek reads the ranking rows of its own villages (the rows are limited, not the route).
    "operation-ranking": read_only(HQ_API | POLSEKS),
    # What a level and a required personnel count come from: every API caller reads it.
    "level-threshold-list": read_only(API_USERS),
    "level-threshold-detail": read_only(API_USERS),
    "pattern-set-list": read_only(API_USERS),
    "pattern-set-detail": read_only(API_USERS),
    "operation-map": read_only(HQ_API),
    "operation-proposal": rw(post=OPS),
    "operation-order": read_only(HQ_API),
    # Evidence files of Polsek A's report: its Polsek and HQ (the service token too), read only.
    "evidence": read_only(A_AND_HQ_API),
    "risk-report-list": rw(get=API_USERS, post=POLSEKS),
    "risk-report-detail": rw(get=A_AND_HQ_API, patch=frozenset({POLSEK_A})),
    "risk-report-submit": rw(post=frozenset({POLSEK_A})),
    "risk-report-verify": rw(post=OPS),
    "risk-report-return-": rw(post=OPS),
    "risk-indicator-list": rw(get=API_USERS, post=OPS),
    "risk-indicator-detail": rw(get=API_USERS, put=OPS, patch=OPS),
    "assignment-list": rw(get=HQ_API, post=OPS),
    "assignment-detail": rw(get=HQ_API, delete=OPS),
    "proposal-detail": read_only(HQ_API),
    "proposal-apply": rw(post=OPS),
    "proposal-discard": rw(post=OPS),
    # Hari-H API: writes are open to callers; the services decide per posting and village (an empty
    # body is a 400). The incident lies in Polsek A's area.
    "operation-board": read_only(HQ_API),
    "checkin-list": rw(get=API_USERS, post=API_USERS),
    "progress-step-list": rw(get=API_USERS, post=API_USERS),
    "incident-list": rw(get=API_USERS, post=API_USERS),
    "incident-detail": read_only(A_AND_HQ_API),
    "incident-acknowledge": rw(post=OPS),
    "incident-resolve": rw(post=OPS),
    "incident-dispatch-proposal": read_only(OPS),
    "incident-send-team": rw(post=OPS),
    "operation-lapsit": read_only(HQ_API),
    "operation-close": rw(post=OPS),  # the Kapolres (and his token) reach the view; the service says 403
    "incident-photos": rw(post=A_AND_HQ_API),
    "incident-category-list": read_only(API_USERS),
    "stage-window-list": rw(get=API_USERS, post=OPS),
    "stage-window-detail": rw(get=API_USERS, put=OPS, patch=OPS, delete=OPS),
    "my-assignment-list": read_only(API_USERS),
    "incident-photo-image": rw(),  # the demo incident has no photo: 404 for everyone
    # The admin site's own pages: staff only (the demo's only staff role is Kabag Ops).
    "admin:index": same(OPS),
    "admin:app_list": same(OPS),
    "admin:password_change": same(OPS),
    "admin:password_change_done": rw(get=OPS),
    "admin:jsi18n": rw(get=OPS),
    "admin:autocomplete": rw(get=OPS),
    "admin:login": same(EVERYONE),
    # Non-staff are sent to the admin index (no login redirect); staff must POST.
    "admin:logout": rw(get=EVERYONE - OPS, post=EVERYONE),
    # No model has get_absolute_url, so "view on site" finds nothing for anyone.
    "admin:view_on_site": rw(),
    "<unnamed> admin/(?P<url>.*)$": rw(),  # the catch-all: 404 for staff, login for others
}
# Regex keys, for patterns the admin generates per model.
EXPECTED_PATTERNS: list[tuple[re.Pattern, dict[str, frozenset]]] = [
    # /admin/<app>/<model>/<id>/ redirects staff to the change page, which checks the permission.
    (re.compile(r"<unnamed> admin/\w+/\w+/<path:object_id>/"), same(OPS)),
]


# --- admin: derived from the role table and the demo users' staff flag ----------------------------

STAFF_ROLES = frozenset(
    role
    for role, username in DEMO_USERNAMES.items()
    if any(x.username == username and x.is_staff for x in LOGINS)
)
# Admin classes that deliberately refuse an action whatever the permission (read-only admins,
# assignments changed only by delete and add, tokens that are revoked rather than edited).
ADMIN_REFUSES: dict[str, set[str]] = {
    "operations.riskreport": {"add", "change", "delete"},
    "operations.villagestanding": {"add", "change", "delete"},
    "operations.allocationproposal": {"add", "change", "delete"},
    "operations.villagerisk": {"add", "delete"},
    "operations.assignment": {"change"},
    "authtoken.tokenproxy": {"change"},
    "operations.persontoken": {"add", "change"},
    "villages.kabupaten": {"add"},  # outlines come from the boundary import only
    # Hari-H: the catalogue is never deleted (made inactive); the rest is written by the services.
    "election_day.incidentcategory": {"delete"},
    "election_day.checkin": {"add", "change", "delete"},
    "election_day.villageprogress": {"add", "change", "delete"},
    "election_day.progressstep": {"add", "change", "delete"},
    "election_day.incident": {"add", "change", "delete"},
    "election_day.dispatch": {"add", "change", "delete"},
    "election_day.lapsitsnapshot": {"add", "change", "delete"},
    "jobs.job": {"add", "change", "delete"},  # written by the job services only
    # django-tasks-db's queue rows: read-only in its admin (superusers hold the view permission).
    "django_tasks_database.dbtaskresult": {"add", "change", "delete"},
    "webhooks.webhookdelivery": {"add"},  # written by event_emit only
}
# Admin classes that grant by role rather than by model permission (the groups hold no authtoken
# permissions; the token admin is for Kabag Ops).
ADMIN_GRANTS_ROLE: dict[str, dict[str, set[str]]] = {
    "authtoken.tokenproxy": {KABAG_OPS: {"view", "add", "delete"}},
    "operations.persontoken": {KABAG_OPS: {"view", "delete"}},
    # Any staff user reads the jobs he started (superusers all); the demo's staff role is Kabag Ops.
    "jobs.job": {KABAG_OPS: {"view"}},
}


def _admin_can(role: str, label: str, action: str) -> bool:
    if role not in STAFF_ROLES or action in ADMIN_REFUSES.get(label, set()):
        return False
    group = GROUP_OF[role]
    if action in ADMIN_GRANTS_ROLE.get(label, {}).get(group, set()):
        return True
    app_label, model_name = label.split(".")
    return permission_matches(group, app_label, f"{action}_{model_name}")


def _admin_roles(label: str, *actions: str) -> frozenset:
    """Roles holding any of the actions on the model."""
    return frozenset(r for r in ROLES if any(_admin_can(r, label, a) for a in actions))


def admin_expectations() -> dict[str, dict[str, frozenset]]:
    table = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        label = opts.label_lower
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        reads = _admin_roles(label, "view", "change")
        table[f"{prefix}_changelist"] = same(reads)
        table[f"{prefix}_add"] = same(_admin_roles(label, "add"))
        table[f"{prefix}_change"] = rw(get=reads, post=_admin_roles(label, "change"))
        table[f"{prefix}_delete"] = same(_admin_roles(label, "delete"))
        table[f"{prefix}_history"] = same(reads)
        if isinstance(model_admin, SimpleHistoryAdmin):
            # An old version may be viewed but never restored: a revert writes past the services.
            table[f"{prefix}_simple_history"] = rw(get=reads)
    table["admin:auth_user_password_change"] = same(_admin_roles("auth.user", "change"))
    # The region import writes kecamatan and desa; the roster import writes officers and its export
    # reads them (IMPORT_EXPORT_*_PERMISSION_CODE in settings).
    table["admin:villages_kecamatan_import_regions"] = same(
        _admin_roles("villages.kecamatan", "add") & _admin_roles("villages.desa", "add")
    )
    # The boundary import writes desa centroids and outlines and kecamatan outlines.
    table["admin:villages_desa_import_boundaries"] = same(
        _admin_roles("villages.desa", "change") & _admin_roles("villages.kecamatan", "change")
    )
    table["admin:operations_officer_import"] = same(_admin_roles("operations.officer", "change"))
    table["admin:operations_officer_process_import"] = rw(post=_admin_roles("operations.officer", "change"))
    table["admin:operations_officer_export"] = same(_admin_roles("operations.officer", "view"))
    # A job's progress page and its JSON status: whoever may read the job (its starter, here Kabag Ops).
    table["admin:jobs_job_progress"] = rw(get=_admin_roles("jobs.job", "view"))
    table["admin:jobs_job_status"] = rw(get=_admin_roles("jobs.job", "view"))
    return table


EXPECTED.update(admin_expectations())


def expected_for(key: str) -> dict[str, frozenset] | None:
    if key in EXPECTED:
        return EXPECTED[key]
    for pattern, expectation in EXPECTED_PATTERNS:
        if pattern.fullmatch(key):
            return expectation
    return None


# --- every URL pattern, from the resolver ---------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced URL name, or "<unnamed> <route>"
    name: str | None
    pieces: tuple[str, ...]  # the route text of each level, outermost first
    callback: object

    @property
    def route(self) -> str:
        return "".join(self.pieces)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/v1/")


def _walk(patterns, pieces=(), namespace=None) -> Iterator[Route]:
    for pattern in patterns:
        here = (*pieces, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, here, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            key = name or f"<unnamed> {''.join(here)}"
            yield Route(key=key, name=name, pieces=here, callback=pattern.callback)


ROUTES = list(_walk(get_resolver().url_patterns))


# --- the demo world -------------------------------------------------------------------------------

MEKARSARI = "36.04.17.2010"


@dataclass
class World:
    clients: dict[str, Client]
    cookies: dict[str, object]
    objects: dict[str, models.Model]  # by model label, the object an admin URL names
    history_ids: dict[str, int]
    kwargs: dict[str, dict[str, object]]  # by URL key prefix
    pks: dict[str, object]


def _history_id(obj: models.Model) -> int | None:
    history = getattr(type(obj), "history", None)
    if history is None:
        return None
    # On the history model "pk" is history_id; the original key keeps its own name.
    versions = history.filter(**{obj._meta.pk.attname: obj.pk}).order_by("-history_id")
    if not versions.exists():
        obj.save()  # bulk-created demo rows have no history yet
    return versions.first().history_id


def _build_world() -> World:
    call_command("load_demo", stdout=StringIO())
    users = get_user_model().objects.in_bulk(list(DEMO_USERNAMES.values()), field_name="username")
    kabag = users["kabagops"]
    operation = Operation.objects.get()
    village = VillageElection.objects.select_related("desa__kecamatan").get(desa__code=MEKARSARI)
    carenang = Unit.objects.get(officers__user__username="polsek.carenang")
    officer = (
        Officer.objects.for_village_duty()
        .filter(unit=carenang, is_active=True, user__isnull=True)
        .exclude(home_desa=village.desa)
        .order_by("nrp")
        .first()
    )
    assignment = assignment_create(
        operation=operation, officer=officer, duty=Duty.VILLAGE_GUARD, village_election=village, by=kabag
    )
    proposal = proposal_create(operation=operation, by=kabag)
    incident, _created = incident_report(
        operation=operation,
        village_election=village,
        category=IncidentCategory.objects.get(code="keributan"),
        severity=1,
        description="Keributan kecil di TPS 1",
        by=kabag,
    )
    # One row of every Hari-H model, for its admin pages.
    window = StageWindow.objects.create(
        operation=operation, stage="voting", starts_at=timezone.now() - timedelta(hours=1)
    )
    checkin, _created = checkin_record(
        assignment=assignment, kind="arrived", by=kabag, idempotency_key=uuid.uuid4()
    )
    step, _created = progress_record(
        operation=operation, village_election=village, stage="tps_open", by=kabag
    )
    dispatch = Dispatch.objects.create(
        incident=incident, officer=officer, from_duty=Duty.RESERVE, from_place="Mako", confirmed_by=kabag
    )
    snapshot, _created = lapsit_snapshot_take(operation=operation, by=kabag)
    endpoint = endpoint_save(
        endpoint=WebhookEndpoint(url="http://127.0.0.1:9/", secret="rahasia-matriks-uji")
    )
    event_emit(type="report.verified", data={"report": 1})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    job = Job.objects.create(
        kind=Job.Kind.ROSTER_IMPORT, runner="operations.jobs.roster_import_run", created_by=kabag
    )
    export = Job.objects.create(
        kind=Job.Kind.RANKING_EXPORT,
        runner="operations.jobs.ranking_export_run",
        created_by=users["kapolres"],
        state=Job.State.SUCCEEDED,
        finished_at=timezone.now(),
        output_data=b"No.,Kode desa\r\n",
        result={"file_name": "peringkat.csv", "content_type": "text/csv; charset=utf-8"},
    )
    queued = DBTaskResult.objects.create(
        args_kwargs={"args": [job.pk], "kwargs": {}},
        task_path="jobs.services.job_run",
        backend_name="default",
        run_after=timezone.now(),
    )
    reports = RiskReport.objects.filter(author=users["polsek.carenang"])
    returned = reports.get(status=RiskReport.Status.RETURNED)
    submitted = reports.get(status=RiskReport.Status.SUBMITTED)
    evidence = submitted.answers.order_by("pk").first()
    evidence.attachment.save("baliho.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    service = token_create(username=SERVICE_USERNAME, role=PIMPINAN)
    service_user = get_user_model().objects.get(username=SERVICE_USERNAME)
    person_token_create(user=users["kapolres"])
    now = timezone.now()
    axes_fields = {"username": "x", "ip_address": "10.0.0.1", "user_agent": "uji", "attempt_time": now}
    attempt = AccessAttempt.objects.create(**axes_fields, failures_since_start=1)
    log = AccessLog.objects.create(**axes_fields)
    failure = AccessFailureLog.objects.create(**axes_fields)

    objects: dict[str, models.Model] = {
        "auth.group": Group.objects.get(name=POLSEK),
        "auth.user": users["polsek.carenang"],
        "authtoken.tokenproxy": service_user,  # the token admin addresses tokens by user id
        "operations.persontoken": PersonToken.objects.get(),
        "axes.accessattempt": attempt,
        "axes.accesslog": log,
        "axes.accessfailurelog": failure,
        "villages.kecamatan": village.desa.kecamatan,
        "villages.kabupaten": Kabupaten.objects.get(code=village.desa.code[:5]),
        "villages.desa": village.desa,
        "villages.election": operation.election,
        "villages.villageelection": village,
        "villages.candidate": Candidate.objects.filter(village_election=village).order_by("pk").first(),
        "operations.unit": carenang,
        "operations.officer": officer,
        "operations.bkocontingent": BkoContingent.objects.filter(operation=operation).order_by("pk").first(),
        "operations.riskindicator": RiskIndicator.objects.order_by("pk").first(),
        "operations.levelthreshold": LevelThreshold.objects.order_by("pk").first(),
        "operations.patternset": PatternSet.objects.get(pk=operation.pattern_set_id),
        "operations.riskreport": submitted,
        "operations.villagerisk": VillageRisk.objects.get(village_election=village),
        "operations.villagestanding": VillageStanding.objects.get(
            operation=operation, village_election=village
        ),
        "operations.operation": operation,
        "operations.assignment": assignment,
        "operations.allocationproposal": proposal,
        "election_day.incidentcategory": incident.category,
        "election_day.stagewindow": window,
        "election_day.checkin": checkin,
        "election_day.villageprogress": VillageProgress.objects.get(operation=operation),
        "election_day.progressstep": step,
        "election_day.incident": incident,
        "election_day.dispatch": dispatch,
        "election_day.lapsitsnapshot": snapshot,
        "operations.position": Position.objects.get(name="Kapolsek"),
        "operations.capability": Capability.objects.get(code=Capability.BOAT_CREW),
        "jobs.job": job,
        "django_tasks_database.dbtaskresult": queued,
        "webhooks.webhookendpoint": endpoint,
        "webhooks.webhookdelivery": delivery,
    }
    history_ids = {label: _history_id(obj) for label, obj in objects.items()}

    # "pk" by URL name; the other kwargs are the same everywhere.
    pks = {
        "report-edit": returned.pk,
        "report-verify": submitted.pk,
        "report-return": submitted.pk,
        "village-detail": village.pk,
        "village-override": village.pk,
        "village-election-override": village.pk,
        "deployment-remove": assignment.pk,
        # Not a removal: the undo answers with a message, after the permission check.
        "deployment-undo": _history_id(assignment),
        "personnel-page": officer.pk,
        "deployment-proposal": proposal.pk,
        "deployment-proposal-apply": proposal.pk,
        "deployment-proposal-discard": proposal.pk,
        "kecamatan": village.desa.kecamatan_id,
        "desa": village.desa_id,
        "election": operation.election_id,
        "village-election": village.pk,
        "candidate": objects["villages.candidate"].pk,
        "unit": carenang.pk,
        "officer": officer.pk,
        "operation": operation.pk,
        "jurisdiction": carenang.jurisdictions.order_by("pk").first().pk,
        "bko-contingent": objects["operations.bkocontingent"].pk,
        "evidence": evidence.pk,
        "risk-report-detail": returned.pk,
        "risk-report-submit": returned.pk,
        "risk-report-verify": submitted.pk,
        "risk-report-return-": submitted.pk,
        "risk-indicator": objects["operations.riskindicator"].pk,
        "assignment": assignment.pk,
        "proposal": proposal.pk,
        "proposal-apply": proposal.pk,
        "proposal-discard": proposal.pk,
        "field-check-in": assignment.pk,
        "incident": incident.pk,
        "stage-window": window.pk,
        "incident-acknowledge": incident.pk,
        "incident-resolve": incident.pk,
        "incident-dispatch-proposal": incident.pk,
        "incident-send-team": incident.pk,
        "incident-photos": incident.pk,
        "incident-photo-image": 999999,
        "level-threshold": LevelThreshold.objects.order_by("level").first().pk,
        "pattern-set": operation.pattern_set_id,
        "webhook": endpoint.pk,
        "webhook-delivery": delivery.pk,
        "webhook-delivery-redeliver": delivery.pk,
        "job": export.pk,
        "job-page": export.pk,
        "job-page-status": export.pk,
        "job-file": export.pk,
        "job-api-file": export.pk,
    }
    common = {
        "operation_id": operation.pk,
        "village_election_id": village.pk,
        "file_format": "csv",
        "format": "json",
        "content_type_id": ContentType.objects.get_for_model(Desa).pk,
        "app_label": "operations",
        "url": "tidak-ada/",
    }

    clients = {role: Client() for role in ROLES}
    for role, username in DEMO_USERNAMES.items():
        clients[role].force_login(users[username])
    clients[TOKEN] = Client(HTTP_AUTHORIZATION=f"Token {service.key}")
    return World(
        clients=clients,
        cookies={role: deepcopy(client.cookies) for role, client in clients.items()},
        objects=objects,
        history_ids=history_ids,
        kwargs=common,
        pks=pks,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    quiet = logging.getLogger("django.request"), logging.getLogger("django.security")
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)  # thousands of expected 403/404 warnings
    try:
        # Evidence files go to a directory of their own, gone with the module.
        with (
            tempfile.TemporaryDirectory() as media,
            override_settings(MEDIA_ROOT=media),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            yield _build_world()
            transaction.set_rollback(True)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


# --- building a URL for a route -------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")
_POSITIONAL_GROUP = re.compile(r"\((?!\?)[^()]*\)")


def _pk_for(route: Route, world: World) -> object:
    name = route.name or ""
    if name in world.pks:
        return world.pks[name]
    base = re.sub(r"-(list|detail)$", "", name)
    return world.pks[base]


ADMIN_MODEL_PATHS = {
    f"{model._meta.app_label}/{model._meta.model_name}/": model._meta.label_lower
    for model in admin.site._registry
}


def _admin_label(route: Route) -> str:
    # Admin routes nest as "admin/", "<app>/<model>/", then the view's own piece.
    return ADMIN_MODEL_PATHS[route.pieces[1]]


def _value(route: Route, world: World, name: str) -> str:
    if name == "pk":
        return str(_pk_for(route, world))
    if name in ("object_id", "id"):
        if route.key == "admin:view_on_site":
            return str(world.objects["villages.desa"].pk)
        return str(world.objects[_admin_label(route)].pk)
    if name == "format" and route.key == "api-root":
        return ".json"
    return str(world.kwargs[name])


def build_url(route: Route, world: World) -> str:
    positional = []
    if route.key.endswith("_simple_history"):
        label = _admin_label(route)
        positional = [world.objects[label].pk, world.history_ids[label]]
    parts = []
    for piece in route.pieces:
        if piece.startswith("^") or "(?P<" in piece or "\\" in piece or piece.endswith("$"):
            text = _NAMED_GROUP.sub(lambda m: _value(route, world, m["name"]), piece)
            text = _POSITIONAL_GROUP.sub(lambda m: str(positional.pop(0)), text)
            text = text.removeprefix("^").removesuffix("$").replace("/?", "/").replace("\\.", ".")
        else:
            text = _CONVERTER.sub(lambda m: _value(route, world, m["name"]), piece)
        parts.append(text)
    return "/" + "".join(parts)


QUERY = {
    # The autocomplete answers only for a field that is set up for it.
    "admin:autocomplete": "app_label=villages&model_name=desa&field_name=kecamatan",
}
# More requests on a route with their own expectations: objects named in the query string.
VARIANTS: dict[str, list[tuple[Callable[[World], str], dict[str, frozenset]]]] = {
    # The report form preselects a village; Polsek A's village is unknown to Polsek B.
    "report-create": [(lambda world: f"desa={world.pks['village-election']}", same(frozenset({POLSEK_A})))],
}


# --- one request ----------------------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _outcome(response) -> str:
    status = response.status_code
    if status >= 500 or status == 429:
        return f"error {status}"
    if status in (401, 403, 404, 405):
        return "denied"
    if 300 <= status < 400:
        target = urlsplit(response["Location"])
        # A login redirect carries ?next=; logging out also lands on the login page, without it.
        if target.path in LOGIN_PATHS and "next" in parse_qs(target.query):
            return "denied"
    return "allowed"


def _request(client: Client, method: str, url: str, *, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(method, url, "{}", content_type="application/json")
    return client.post(url, {})


def _call(world: World, role: str, method: str, url: str, *, api: bool) -> str:
    client = world.clients[role]
    try:
        with transaction.atomic():
            response = _request(client, method, url, api=api)
            transaction.set_rollback(True)
        return _outcome(response)
    except Exception as exc:
        return f"error {type(exc).__name__}: {exc}"
    finally:
        # Logging out or switching language changes the client's cookies; the rolled-back session
        # row is still there, so the original cookie logs the next case in again.
        client.cookies = deepcopy(world.cookies[role])


# --- the test -------------------------------------------------------------------------------------


def _without_anchors(route: str) -> str:
    # The resolver keeps or drops the "^" of nested regex routes depending on the nesting.
    return re.sub(r"(^|/)\^", r"\1", route)


def _route_id(route: Route) -> str:
    return f"{route.key} {route.route}" if route.name else route.key


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_authorization_matrix(world, route):
    expectation = expected_for(route.key)
    assert expectation is not None, (
        f"no row in the authorization matrix for URL {route.key!r} ({route.route})"
    )
    url = build_url(route, world)
    match = resolve(urlsplit(url).path)
    built = _without_anchors(match.route)
    assert built == _without_anchors(route.route), f"{url} resolves to {built}, not {route.route}"
    if route.key in QUERY:
        url = f"{url}?{QUERY[route.key]}"
    cases = [(url, expectation)]
    cases += [(f"{url}?{query(world)}", variant) for query, variant in VARIANTS.get(route.key, [])]

    methods = API_METHODS if route.is_api else PAGE_METHODS
    wrong = []
    for case_url, case_expectation in cases:
        for method in methods:
            for role in ROLES:
                got = _call(world, role, method, case_url, api=route.is_api)
                want = "allowed" if role in case_expectation[method] else "denied"
                if got != want:
                    wrong.append(f"{method} {case_url} as {role}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_every_row_of_the_table_names_a_url():
    keys = {route.key for route in ROUTES}
    stale = sorted(key for key in EXPECTED if key not in keys)
    stale += [p.pattern for p, _ in EXPECTED_PATTERNS if not any(p.fullmatch(key) for key in keys)]
    assert not stale


def test_admin_expectations_follow_the_role_table():
    """Spot checks that the derivation reads operations/roles.py as intended."""
    table = admin_expectations()
    assert table["admin:villages_desa_change"]["POST"] == OPS
    assert table["admin:villages_kecamatan_delete"]["POST"] == NOBODY  # Kabag Ops may not delete regions
    assert table["admin:villages_candidate_delete"]["POST"] == OPS
    assert table["admin:auth_user_changelist"]["GET"] == NOBODY
    assert table["admin:operations_riskreport_change"] == rw(get=OPS)
    assert table["admin:authtoken_tokenproxy_add"]["GET"] == OPS
    # Pimpinan holds view permissions but is not staff, so the admin stays closed to him.
    assert PIMP not in table["admin:operations_operation_changelist"]["GET"]


def test_roster_import_needs_change_permission_not_just_staff(client, make_user):
    """Outside the demo roles: a staff user holding only view permissions (Pimpinan's)."""
    client.force_login(make_user(PIMPINAN, is_staff=True))
    assert client.get(reverse("admin:operations_officer_import")).status_code == 403
    assert client.get(reverse("admin:operations_officer_export")).status_code == 200
