"""The field app without signal: the web app manifest, the service worker and the queue page.

The worker is served from /hari-h/sw.js and registered once per field area, each registration
scoped to that area only: /hari-h/ (check-ins, progress, incidents, the queue) and /laporan/baru/
(the new risk report form). The answer's Service-Worker-Allowed header lets the second scope sit
outside /hari-h/; the page registers exactly FIELD_SCOPES (templates/election_day/_queue_status.html),
so the admin, the HQ pages and the API are never under a registration, and inside one the worker
answers only the pages of FIELD_PAGES and the files of FIELD_ASSETS (network for anything else).
It caches that shell in a cache named for a hash of those files, so a
release with a changed file installs a new cache; the new worker waits until the page asks it to
take over at the next open (static/js/field-queue.js), never while someone is typing.

A phone may be shared: the worker keeps its copies of the field pages per user (named by the
``X-Pilkades-User`` header of pilkades.middleware.QueueUserMiddleware) and, without signal, shows
a page only to the user last seen logged in, else the offline page built in here. The queue asks
``session_user`` who is logged in before it sends, and sends only that user's items.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from election_day import permissions
from operations.pages import allowed

FIELD_PAGES = ("field-home", "field-incident", "field-queue", "report-create")
FIELD_SCOPES = ("field-home", "report-create")
FIELD_ASSETS = (
    "css/app.css",
    "js/field-queue.js",
    "js/field-checkin.js",
    "js/report-form.js",
    "favicon.svg",
    "icons/lapangan-192.png",
    "icons/lapangan-512.png",
)
FIELD_TEMPLATES = (
    "base.html",
    "partials/nav.html",
    "election_day/field.html",
    "election_day/incident_form.html",
    "election_day/queue.html",
    "election_day/_queue_status.html",
    "operations/report_form.html",
)


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash of every file of the shell: a release that changes one of them gets a new cache."""
    digest = hashlib.sha256()
    for name in FIELD_ASSETS:
        path = finders.find(name)
        digest.update(name.encode())
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    for name in FIELD_TEMPLATES:
        origin = get_template(name).origin.name
        with open(origin, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Pilkades Ops Lapangan",
        "short_name": _("Lapangan"),
        "description": _("Lapor tiba, kemajuan desa dan kejadian, juga tanpa sinyal."),
        "lang": "id",
        "start_url": reverse("field-home"),
        "scope": reverse("field-home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": static("icons/lapangan-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/lapangan-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/lapangan-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": shell_version(),
        "pages": json.dumps([reverse(name) for name in FIELD_PAGES]),
        "assets": json.dumps([static(name) for name in FIELD_ASSETS]),
        "queue_script": json.dumps(static("js/field-queue.js")),
        "session_url": json.dumps(reverse("field-session")),
        # The same for everyone: shown without signal when this user has no copy of the page.
        "offline_page": json.dumps(render_to_string("election_day/offline.html")),
    }
    response = render(request, "election_day/sw.js", context, content_type="text/javascript")
    # The registrations' scopes (FIELD_SCOPES) have no common folder below the root.
    response["Service-Worker-Allowed"] = "/"
    return response


@never_cache
@require_GET
def session_user(request: HttpRequest) -> JsonResponse:
    """Who is logged in on this browser now, asked by the queue before it sends: a page kept on the
    phone may belong to the previous user, the server's session never does."""
    user = request.user
    return JsonResponse({"user": str(user.pk) if user.is_authenticated else None})


@allowed(permissions.can_use_field_pages)
def queue_page(request: HttpRequest) -> HttpResponse:
    """The items waiting on this phone; the list itself comes from the phone's IndexedDB."""
    return render(request, "election_day/queue.html")
