from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from jobs.models import Job
from jobs.services import job_start
from pilkades.admin_history import AuditHistoryAdmin
from pilkades.import_files import admin_upload_help, too_large_for_admin
from villages.admin_boundaries import DesaGeographyAdminMixin
from villages.jobs import REGIONS_IMPORT
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

# Who may see which kecamatan is a police rule (operations.permissions). villages never imports
# operations, so the police side installs the rule here at start-up (operations/admin/__init__.py).
_kecamatan_scope: Callable[[object], frozenset[int] | None] | None = None


def set_kecamatan_scope(scope: Callable[[object], frozenset[int] | None]) -> None:
    """Install the function giving a user's visible kecamatan ids (None = all)."""
    global _kecamatan_scope
    _kecamatan_scope = scope


class KecamatanScopedAdmin(AuditHistoryAdmin):
    """Changelist and change pages show only rows in the kecamatan the user may see."""

    kecamatan_lookup: str

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if _kecamatan_scope is None:
            # No rule installed: fail closed rather than show every village.
            return queryset if request.user.is_superuser else queryset.none()
        ids = _kecamatan_scope(request.user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.kecamatan_lookup}__in": ids})


class RegionImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas kode wilayah (CSV/TSV kode,nama atau SQL INSERT)"))
    prefix = forms.CharField(
        label=_("Hanya kode berawalan"), required=False, help_text=_("Mis. 36 (provinsi) atau 36.04.")
    )
    encoding = forms.CharField(label=_("Encoding"), initial="utf-8")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = admin_upload_help("import_regions")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = too_large_for_admin(upload.size, "import_regions")
        if problem:
            raise forms.ValidationError(problem)
        return upload


@admin.register(Kecamatan)
class KecamatanAdmin(AuditHistoryAdmin):
    list_display = ["code", "name", "kabupaten_name", "desa_count"]
    list_filter = ["kabupaten_name"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    change_list_template = "admin/villages/kecamatan/change_list.html"

    def get_urls(self):
        own = [
            path(
                "impor-wilayah/",
                self.admin_site.admin_view(self.import_regions_view),
                name="villages_kecamatan_import_regions",
            )
        ]
        return own + super().get_urls()

    def import_regions_view(self, request: HttpRequest) -> HttpResponse:
        """Kemendagri code list upload: a background job (all rows or none) whose progress page
        lists every bad line; the request returns at once."""
        if not (
            request.user.has_perm("villages.add_kecamatan") and request.user.has_perm("villages.add_desa")
        ):
            raise PermissionDenied
        form = RegionImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = job_start(
                kind=Job.Kind.REGIONS_IMPORT,
                runner=REGIONS_IMPORT,
                user=request.user,
                data=form.cleaned_data["file"].read(),
                source_name=form.cleaned_data["file"].name,
                options={
                    "prefix": form.cleaned_data["prefix"],
                    "encoding": form.cleaned_data["encoding"] or "utf-8",
                    "back_url": reverse("admin:villages_kecamatan_changelist"),
                },
            )
            return redirect("admin:jobs_job_progress", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Impor kode wilayah Kemendagri"),
            "form": form,
        }
        return TemplateResponse(request, "admin/villages/kecamatan/import_regions.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(desa_count=Count("desa_set"))

    @admin.display(description=_("jumlah desa"), ordering="desa_count")
    def desa_count(self, obj: Kecamatan) -> int:
        return obj.desa_count


@admin.register(Desa)
class DesaAdmin(DesaGeographyAdminMixin, KecamatanScopedAdmin):
    kecamatan_lookup = "kecamatan"
    list_display = ["code", "name", "kecamatan", "sea_access_only", "latitude", "longitude"]
    list_filter = ["kecamatan", "sea_access_only"]
    search_fields = ["code", "name", "kecamatan__name"]
    ordering = ["code"]
    list_select_related = ["kecamatan"]
    autocomplete_fields = ["kecamatan"]
    fieldsets = [
        (None, {"fields": ["kecamatan", "code", "name"]}),
        (
            _("Lokasi dan akses"),
            {"fields": [*DesaGeographyAdminMixin.location_fields, "sea_access_only", "access_notes"]},
        ),
    ]


@admin.register(Election)
class ElectionAdmin(AuditHistoryAdmin):
    list_display = ["name", "voting_day", "status", "village_count"]
    list_filter = ["status"]
    search_fields = ["name"]
    ordering = ["-voting_day", "name"]
    date_hierarchy = "voting_day"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(village_count=Count("village_elections"))

    @admin.display(description=_("jumlah desa"), ordering="village_count")
    def village_count(self, obj: Election) -> int:
        return obj.village_count


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    fields = [
        "ballot_number",
        "full_name",
        "head_status",
        "lost_before",
        "status",
        "estimated_supporters",
        "needs_close_escort",
    ]


@admin.register(VillageElection)
class VillageElectionAdmin(KecamatanScopedAdmin):
    kecamatan_lookup = "desa__kecamatan"
    list_display = [
        "desa",
        "kecamatan_name",
        "election",
        "tps_count",
        "registered_voters",
        "committee_formed_on",
        "status",
    ]
    list_filter = ["election", "status", "desa__kecamatan"]
    search_fields = ["desa__name", "desa__code"]
    ordering = ["election", "desa__code"]
    list_select_related = ["desa__kecamatan", "election"]
    autocomplete_fields = ["election", "desa"]
    inlines = [CandidateInline]

    @admin.display(description=_("kecamatan"), ordering="desa__kecamatan__name")
    def kecamatan_name(self, obj: VillageElection) -> str:
        return obj.desa.kecamatan.name


@admin.register(Candidate)
class CandidateAdmin(KecamatanScopedAdmin):
    kecamatan_lookup = "village_election__desa__kecamatan"
    list_display = [
        "full_name",
        "ballot_number",
        "village_election",
        "head_status",
        "lost_before",
        "status",
        "estimated_supporters",
        "needs_close_escort",
    ]
    list_filter = [
        "status",
        "head_status",
        "lost_before",
        "needs_close_escort",
        "village_election__election",
        "village_election__desa__kecamatan",
    ]
    search_fields = ["full_name", "village_election__desa__name"]
    ordering = ["village_election__desa__code", "ballot_number"]
    list_select_related = ["village_election__desa", "village_election__election"]
    autocomplete_fields = ["village_election"]
