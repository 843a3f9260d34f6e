"""Hari-H in the admin: the incident catalogue and the stage windows are edited here (Kabag Ops);
check-ins, progress, incidents, photos and dispatches are written by the services and only read here,
with their history. The Kapolres reads all of it (view permissions of his role)."""

from django.contrib import admin
from django.http import HttpRequest

from election_day.models import (
    CheckIn,
    Dispatch,
    Incident,
    IncidentCategory,
    IncidentPhoto,
    LapsitSnapshot,
    ProgressStep,
    StageWindow,
    VillageProgress,
)
from election_day.services.windows import stage_window_delete, stage_window_save
from operations.admin.read_only import ReadOnlyAdmin
from pilkades.admin_history import AuditHistoryAdmin


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(AuditHistoryAdmin):
    list_display = ["name", "code", "after_vote", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["after_vote", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Incidents keep their category: a kind no longer used is made inactive, never deleted.
        return False


@admin.register(StageWindow)
class StageWindowAdmin(AuditHistoryAdmin):
    list_display = ["operation", "stage", "starts_at", "ends_at"]
    list_filter = ["operation", "stage"]
    list_select_related = ["operation"]

    def save_model(self, request: HttpRequest, obj: StageWindow, form, change: bool) -> None:
        # The API's service: a closed operation's schedule stays, the board follows at once.
        stage_window_save(window=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: StageWindow) -> None:
        stage_window_delete(window=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        # The changelist's "delete selected" action: each window through the same service.
        for window in queryset:
            stage_window_delete(window=window, by=request.user)


class ServiceWrittenAdmin(ReadOnlyAdmin, AuditHistoryAdmin):
    """Rows only the Hari-H services write: listed and shown with their history."""

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(CheckIn)
class CheckInAdmin(ServiceWrittenAdmin):
    list_display = [
        "officer",
        "kind",
        "stage",
        "village_election",
        "recorded_at",
        "distance_m",
        "recorded_by",
    ]
    list_filter = ["operation", "kind", "stage"]
    search_fields = ["officer__name", "officer__nrp", "village_election__desa__name"]
    list_select_related = ["officer", "village_election__desa", "village_election__election", "recorded_by"]


@admin.register(VillageProgress)
class VillageProgressAdmin(ReadOnlyAdmin):
    list_display = ["village_election", "stage", "updated_at", "operation"]
    list_filter = ["operation", "stage"]
    search_fields = ["village_election__desa__name"]
    list_select_related = ["village_election__desa", "village_election__election", "operation"]


@admin.register(ProgressStep)
class ProgressStepAdmin(ServiceWrittenAdmin):
    list_display = [
        "village_election",
        "stage",
        "previous_stage",
        "is_backward",
        "recorded_at",
        "recorded_by",
    ]
    list_filter = ["operation", "stage", "is_backward"]
    search_fields = ["village_election__desa__name", "reason"]
    list_select_related = ["village_election__desa", "village_election__election", "recorded_by"]


class IncidentPhotoInline(admin.TabularInline):
    model = IncidentPhoto
    fields = ["token", "width", "height", "gps_latitude", "gps_longitude", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class DispatchInline(admin.TabularInline):
    model = Dispatch
    fields = ["officer", "from_duty", "from_place", "distance_km", "confirmed_by", "confirmed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ServiceWrittenAdmin):
    list_display = ["__str__", "severity", "state", "reported_at", "reported_by", "level_raised_at"]
    list_filter = ["operation", "state", "severity", "category"]
    search_fields = ["description", "village_election__desa__name"]
    list_select_related = ["category", "village_election__desa", "village_election__election", "reported_by"]
    inlines = [IncidentPhotoInline, DispatchInline]


@admin.register(Dispatch)
class DispatchAdmin(ServiceWrittenAdmin):
    list_display = ["officer", "incident", "from_duty", "distance_km", "confirmed_by", "confirmed_at"]
    list_filter = ["from_duty"]
    search_fields = ["officer__name", "officer__nrp"]
    list_select_related = [
        "officer",
        "incident__category",
        "incident__village_election__desa",
        "confirmed_by",
    ]


@admin.register(LapsitSnapshot)
class LapsitSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["operation", "kind", "taken_at", "taken_by"]
    list_filter = ["operation", "kind"]
    list_select_related = ["operation", "taken_by"]
    fields = ["operation", "kind", "taken_at", "taken_by", "text"]
    readonly_fields = fields
