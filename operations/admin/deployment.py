"""Admin for assignments and allocation proposals.

Adding or deleting an assignment here goes through the assignment service, so the admin refuses
exactly what the board and the API refuse, with the same messages on the same fields.
"""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from operations import permissions
from operations.admin.read_only import ReadOnlyAdmin
from operations.models import AllocationProposal, Assignment, ProposalItem
from operations.services import assignments as assignment_services
from pilkades.admin_history import AuditHistoryAdmin


class AssignmentAddForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = [
            "operation",
            "stage",
            "duty",
            "officer",
            "village_election",
            "candidate",
            "kecamatan",
            "note",
            "command_reason",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The service both checks and writes; the admin's changeform transaction wraps it.
        self.instance = assignment_services.assignment_create(
            operation=cleaned["operation"],
            officer=cleaned["officer"],
            duty=cleaned["duty"],
            stage=cleaned["stage"],
            village_election=cleaned.get("village_election"),
            candidate=cleaned.get("candidate"),
            kecamatan=cleaned.get("kecamatan"),
            note=cleaned.get("note", ""),
            command_reason=cleaned.get("command_reason", ""),
            by=self.user,
        )
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(AuditHistoryAdmin):
    form = AssignmentAddForm
    list_display = [
        "officer",
        "operation",
        "stage",
        "duty",
        "village_election",
        "kecamatan",
        "is_team_leader",
        "assigned_by",
        "assigned_at",
    ]
    list_filter = [
        "operation",
        "stage",
        "duty",
        ("officer__unit", admin.RelatedOnlyFieldListFilter),
        ("village_election__desa__kecamatan", admin.RelatedOnlyFieldListFilter),
        ("village_election", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["officer__name", "officer__nrp", "village_election__desa__name"]
    list_select_related = ["officer__unit", "operation", "village_election__desa", "kecamatan", "assigned_by"]
    raw_id_fields = ["officer", "village_election", "candidate"]
    readonly_fields = ["assigned_by", "assigned_at", "is_team_leader"]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return RequestForm

    def save_model(self, request, obj, form, change):
        """Saved by the service in the form's clean; a second save would only repeat it."""

    def delete_model(self, request, obj):
        assignment_services.assignment_delete(assignment=obj, by=request.user)

    def delete_queryset(self, request, queryset: QuerySet):
        for assignment in queryset.select_related("operation"):
            assignment_services.assignment_delete(assignment=assignment, by=request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return permissions.is_hq(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.can_assign(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return permissions.can_assign(request.user)


class ProposalItemInline(admin.TabularInline):
    model = ProposalItem
    fields = ["officer", "village_election", "kecamatan", "duty", "distance_km"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("officer", "village_election__desa", "kecamatan")


@admin.register(AllocationProposal)
class AllocationProposalAdmin(ReadOnlyAdmin):
    """Read-only: proposals are computed, applied and discarded on the board or the API."""

    list_display = [
        "pk",
        "operation",
        "stage",
        "status",
        "total_shortfall",
        "total_distance_km",
        "created_at",
    ]
    list_filter = ["operation", "status", "stage"]
    inlines = [ProposalItemInline]
    readonly_fields = [
        "operation",
        "stage",
        "status",
        "based_on_version",
        "created_by",
        "created_at",
        "decided_at",
        "total_distance_km",
        "total_shortfall",
        "summary",
    ]
    list_select_related = ["operation"]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return permissions.is_hq(request.user)
