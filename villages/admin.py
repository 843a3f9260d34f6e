from collections.abc import Callable

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

# Who may see which kecamatan is a police rule (operations.permissions). villages never imports
# operations, so the police side installs the rule here at start-up (operations/admin/__init__.py).
_kecamatan_scope: Callable[[object], frozenset[int] | None] | None = None


def set_kecamatan_scope(scope: Callable[[object], frozenset[int] | None]) -> None:
    """Install the function giving a user's visible kecamatan ids (None = all)."""
    global _kecamatan_scope
    _kecamatan_scope = scope


class KecamatanScopedAdmin(admin.ModelAdmin):
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


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kabupaten_name", "desa_count"]
    list_filter = ["kabupaten_name"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(desa_count=Count("desa_set"))

    @admin.display(description=_("jumlah desa"), ordering="desa_count")
    def desa_count(self, obj: Kecamatan) -> int:
        return obj.desa_count


@admin.register(Desa)
class DesaAdmin(KecamatanScopedAdmin):
    kecamatan_lookup = "kecamatan"
    list_display = ["code", "name", "kecamatan", "sea_access_only", "latitude", "longitude"]
    list_filter = ["kecamatan", "sea_access_only"]
    search_fields = ["code", "name", "kecamatan__name"]
    ordering = ["code"]
    list_select_related = ["kecamatan"]
    autocomplete_fields = ["kecamatan"]
    fieldsets = [
        (None, {"fields": ["kecamatan", "code", "name"]}),
        (_("Lokasi dan akses"), {"fields": ["latitude", "longitude", "sea_access_only", "access_notes"]}),
    ]


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
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
