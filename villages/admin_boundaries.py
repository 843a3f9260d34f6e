"""Admin upload of boundary files with a preview: check everything first, write only on confirmation.

The preview runs the whole import in a rolled-back transaction, so what it shows (counts, codes
not in the database, desa still without an outline, every bad row) is exactly what the import will
do. The uploaded file waits in the shared cache (Redis in production: the confirmation may reach
another server behind the load balancer) under a random token kept in the user's session; the
browser never names a key. The confirmation hands the file to a background job (jobs) and answers
with its progress page; an upload not confirmed within a day is dropped and has to be sent again.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jobs.models import Job
from jobs.services import job_start
from villages.boundary_import import LEVEL_CHOICES, BoundaryImportError, boundaries_import
from villages.jobs import BOUNDARIES_IMPORT
from villages.models import Desa, Kabupaten

SESSION_KEY = "boundary_upload"
UPLOAD_CACHE_PREFIX = "villages:boundary-upload:"
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
MAX_ERRORS_SHOWN = 200


class BoundaryImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas batas wilayah (SQL wilayah_boundaries atau GeoJSON)"))
    prefix = forms.CharField(
        label=_("Hanya kode berawalan"), required=False, help_text=_("Mis. 36.04 (satu kabupaten).")
    )
    level = forms.ChoiceField(
        label=_("Tingkat wilayah"),
        choices=[(level, level) for level in LEVEL_CHOICES],
        initial="auto",
        help_text=_("auto: dari panjang kodenya (desa, kecamatan, kabupaten)."),
    )
    code_property = forms.CharField(
        label=_("Properti kode (GeoJSON)"), initial="kode", help_text=_("Mis. KDEPUM pada ekspor BIG.")
    )
    encoding = forms.CharField(label=_("Encoding"), initial="utf-8")


def _upload_key(token: str) -> str:
    return f"{UPLOAD_CACHE_PREFIX}{token}"


def _run(stored: dict, data: bytes, *, dry_run: bool, user):
    return boundaries_import(
        sources=[(stored["name"], io.BytesIO(data))],
        prefix=stored["prefix"],
        level=stored["level"],
        code_property=stored["code_property"],
        encoding=stored["encoding"],
        dry_run=dry_run,
        user=user,
    )


def import_boundaries_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm("villages.change_desa") and user.has_perm("villages.change_kecamatan")):
        raise PermissionDenied
    form = BoundaryImportForm(request.POST or None, request.FILES or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Impor batas wilayah"),
        "form": form,
        "line_errors": [],
        "more_errors": 0,
        "report": None,
        "token": "",
    }
    stored = request.session.get(SESSION_KEY)
    if request.method == "POST" and "confirm" in request.POST:
        if not stored or not secrets.compare_digest(request.POST.get("token", ""), stored["token"]):
            messages.error(
                request, _("Pratinjau tidak ditemukan atau sudah dipakai; unggah ulang berkasnya.")
            )
            return redirect("admin:villages_desa_import_boundaries")
        data = cache.get(_upload_key(stored["token"]))
        cache.delete(_upload_key(stored["token"]))
        request.session.pop(SESSION_KEY, None)
        if data is None:
            messages.error(
                request, _("Berkas pratinjau sudah kedaluwarsa (lebih dari sehari); unggah ulang berkasnya.")
            )
            return redirect("admin:villages_desa_import_boundaries")
        job = job_start(
            kind=Job.Kind.BOUNDARIES_IMPORT,
            runner=BOUNDARIES_IMPORT,
            user=request.user,
            data=data,
            source_name=stored["name"],
            options={
                **{key: stored[key] for key in ("prefix", "level", "code_property", "encoding")},
                "back_url": reverse("admin:villages_desa_changelist"),
            },
        )
        return redirect("admin:jobs_job_progress", job.pk)
    elif request.method == "POST" and form.is_valid():
        token = secrets.token_urlsafe(24)
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        stored = {
            "token": token,
            "name": Path(upload.name).name,
            "prefix": form.cleaned_data["prefix"],
            "level": form.cleaned_data["level"],
            "code_property": form.cleaned_data["code_property"] or "kode",
            "encoding": form.cleaned_data["encoding"] or "utf-8",
        }
        try:
            context["report"] = _run(stored, data, dry_run=True, user=request.user)
        except BoundaryImportError as exc:
            context["line_errors"] = exc.line_errors[:MAX_ERRORS_SHOWN]
            context["more_errors"] = max(len(exc.line_errors) - MAX_ERRORS_SHOWN, 0)
        else:
            cache.set(_upload_key(token), data, UPLOAD_MAX_AGE_SECONDS)
            request.session[SESSION_KEY] = stored
            context["token"] = token
            context["file_name"] = stored["name"]
    return TemplateResponse(request, "admin/villages/desa/import_boundaries.html", context)


class DesaGeographyAdminMixin:
    """The Desa admin's geography: the boundary upload (with preview) on the changelist, and on the
    change page a map of the desa's outline where a click or a drag sets its centroid."""

    change_list_template = "admin/villages/desa/change_list.html"
    location_fields = ["location_map", "latitude", "longitude"]

    class Media:
        css = {"all": ["leaflet/leaflet.css", "css/desa-location-map.css"]}
        js = ["leaflet/leaflet.js", "js/desa-location-map.js"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*super().get_readonly_fields(request, obj), "location_map"]

    @admin.display(description=_("peta titik tengah"))
    def location_map(self, obj: Desa | None) -> str:
        # The outline travels as an attribute value (escaped by format_html); the script parses it.
        return format_html(
            '<div class="desa-location-map" data-boundary="{}" data-help="{}"></div>',
            obj.boundary_geojson if obj is not None else "",
            _("Klik peta atau geser penanda untuk mengisi lintang dan bujur."),
        )

    def get_urls(self):
        own = [
            path(
                "impor-batas/",
                self.admin_site.admin_view(lambda request: import_boundaries_view(self, request)),
                name="villages_desa_import_boundaries",
            )
        ]
        return own + super().get_urls()


@admin.register(Kabupaten)
class KabupatenAdmin(admin.ModelAdmin):
    """Outlines from the boundary import: listed, never typed in."""

    list_display = ["code", "name", "latitude", "longitude", "has_outline"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "latitude", "longitude"]

    @admin.display(description=_("punya batas wilayah"), boolean=True)
    def has_outline(self, obj: Kabupaten) -> bool:
        return bool(obj.boundary_geojson)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
