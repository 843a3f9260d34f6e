"""Admin for the risk catalogues (edited here by Kabag Ops) and read-only views of reports and rankings.

Reports, current risk and ranking rows change only through the report and standings services;
the admin's actions and the override form call those services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from operations.admin.organisation import OperationAdmin
from operations.admin.read_only import ReadOnlyAdmin
from operations.models import (
    LevelThreshold,
    Operation,
    PatternSet,
    RiskIndicator,
    RiskLevel,
    RiskReport,
    RiskReportAnswer,
    RiskReportTransition,
    SecurityPattern,
    VillageRisk,
    VillageStanding,
)
from operations.permissions import jurisdiction_kecamatan_ids
from operations.services import reports as report_services
from operations.services.standings import (
    ranking_changed,
    standings_refresh,
    standings_refresh_for_pattern_set,
    standings_refresh_for_village_elections,
    standings_refresh_places,
)
from pilkades.admin_history import AuditHistoryAdmin
from villages.admin import CandidateAdmin, DesaAdmin, KecamatanAdmin, VillageElectionAdmin
from villages.models import Candidate, Desa, Kecamatan, VillageElection


class JurisdictionLimitedAdmin(admin.ModelAdmin):
    kecamatan_lookup: str

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        ids = jurisdiction_kecamatan_ids(request.user)
        return queryset if ids is None else queryset.filter(**{f"{self.kecamatan_lookup}__in": ids})


@admin.register(RiskIndicator)
class RiskIndicatorAdmin(AuditHistoryAdmin):
    list_display = ["code", "label", "kind", "weight", "full_weight_at", "unit_label", "is_active", "order"]
    list_editable = ["weight", "is_active", "order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "label"]
    ordering = ["order", "code"]


@admin.register(LevelThreshold)
class LevelThresholdAdmin(AuditHistoryAdmin):
    list_display = ["level", "min_score"]
    ordering = ["level"]


class SecurityPatternInline(admin.TabularInline):
    model = SecurityPattern
    extra = 0
    max_num = len(RiskLevel.choices)


@admin.register(PatternSet)
class PatternSetAdmin(admin.ModelAdmin):
    list_display = ["name", "source"]
    search_fields = ["name"]
    inlines = [SecurityPatternInline]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # New patterns change every village's need in the operations measured with this set.
        try:
            standings_refresh_for_pattern_set(pattern_set_id=form.instance.pk)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))


class AnswerInline(admin.TabularInline):
    model = RiskReportAnswer
    fields = ["indicator", "flag", "number", "unknown", "evidence", "attachment_link", "contribution"]
    readonly_fields = fields

    @admin.display(description=_("lampiran (foto/dokumen)"))
    def attachment_link(self, answer: RiskReportAnswer) -> str:
        """Through the evidence view (its permissions and safe headers): /media/ is never served."""
        if not answer.attachment:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("evidence", args=[answer.pk]), _("lampiran"))

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class TransitionInline(AnswerInline):
    model = RiskReportTransition
    fields = ["from_status", "to_status", "by", "at", "reason"]
    readonly_fields = fields


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan dikembalikan"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(RiskReport)
class RiskReportAdmin(JurisdictionLimitedAdmin, ReadOnlyAdmin, AuditHistoryAdmin):
    """Reports are written by Polsek officers on their form; here they are read and decided."""

    kecamatan_lookup = "village_election__desa__kecamatan"
    list_display = ["village_election", "author", "status", "submitted_at", "score", "computed_level"]
    list_filter = ["status", "computed_level", "village_election__desa__kecamatan"]
    search_fields = ["village_election__desa__name", "narrative"]
    list_select_related = ["village_election__desa", "village_election__election", "author"]
    readonly_fields = [
        "village_election",
        "author",
        "status",
        "narrative",
        "created_at",
        "submitted_at",
        "decided_at",
        "decided_by",
        "return_reason",
        "score",
        "computed_level",
    ]
    fields = readonly_fields
    inlines = [AnswerInline, TransitionInline]
    actions = ["verify_reports", "return_reports"]

    @admin.action(description=_("Verifikasi laporan terpilih"))
    def verify_reports(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(
            request, queryset, lambda report: report_services.report_verify(report=report, by=request.user)
        )

    @admin.action(description=_("Kembalikan laporan terpilih dengan alasan"))
    def return_reports(self, request: HttpRequest, queryset: QuerySet):
        form = ReturnReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]

            def return_(report: RiskReport) -> None:
                report_services.report_return(report=report, by=request.user, reason=reason)

            self._decide(request, queryset, return_)
            return None
        return TemplateResponse(
            request,
            "admin/operations/riskreport/return_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Kembalikan laporan"),
                "form": form,
                "reports": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet, decide) -> None:
        done = 0
        for report in queryset:
            try:
                decide(report)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"{report}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        if done:
            messages.success(request, _("%(n)d laporan diputuskan.") % {"n": done})


class OverrideAdminForm(forms.ModelForm):
    class Meta:
        model = VillageRisk
        fields = ["override_level", "override_reason"]


@admin.register(VillageRisk)
class VillageRiskAdmin(JurisdictionLimitedAdmin, AuditHistoryAdmin):
    """Current risk is kept by the services; only the override is editable, through its service."""

    kecamatan_lookup = "village_election__desa__kecamatan"
    form = OverrideAdminForm
    list_display = ["village_election", "score", "computed_level", "override_level", "last_report_at"]
    list_filter = ["computed_level", "override_level"]
    search_fields = ["village_election__desa__name"]
    list_select_related = ["village_election__desa", "village_election__election"]
    readonly_fields = [
        "village_election",
        "report",
        "score",
        "computed_level",
        "override_by",
        "override_at",
        "last_report_at",
    ]
    fields = [*readonly_fields, "override_level", "override_reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: VillageRisk, form, change: bool) -> None:
        level = form.cleaned_data.get("override_level")
        if level is None:
            report_services.risk_override_clear(village_election=obj.village_election, by=request.user)
        else:
            report_services.risk_override(
                village_election=obj.village_election,
                level=level,
                reason=form.cleaned_data.get("override_reason", ""),
                by=request.user,
            )


@admin.register(VillageStanding)
class VillageStandingAdmin(JurisdictionLimitedAdmin, ReadOnlyAdmin):
    kecamatan_lookup = "kecamatan"
    list_display = [
        "village_election",
        "operation",
        "level",
        "computed_level",
        "is_overridden",
        "score",
        "required_personnel",
        "assigned_personnel",
        "shortfall",
    ]
    list_filter = ["operation", "level", "kecamatan", "polsek"]
    search_fields = ["village_election__desa__name", "desa_code"]
    list_select_related = ["village_election__desa", "village_election__election", "operation"]


# Saving an operation, a village election (TPS, voters, candidates inline) or a candidate (escort
# flag) changes ranking rows. villages must not import operations, so the police side extends
# those admins here; no signals.


def _refresh_or_warn(request: HttpRequest, refresh) -> None:
    try:
        refresh()
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))


admin.site.unregister(Operation)


@admin.register(Operation)
class OperationRankingAdmin(OperationAdmin):
    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _refresh_or_warn(request, lambda: standings_refresh(operation=form.instance))


admin.site.unregister(VillageElection)


@admin.register(VillageElection)
class VillageElectionRankingAdmin(VillageElectionAdmin):
    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        ids = [form.instance.pk]
        _refresh_or_warn(request, lambda: standings_refresh_for_village_elections(village_election_ids=ids))

    def delete_model(self, request: HttpRequest, obj: VillageElection) -> None:
        operation_ids = list(obj.standings.values_list("operation_id", flat=True))
        super().delete_model(request, obj)
        ranking_changed(operation_ids=operation_ids)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        operation_ids = list(
            VillageStanding.objects.filter(village_election__in=queryset)
            .values_list("operation_id", flat=True)
            .distinct()
        )
        super().delete_queryset(request, queryset)
        ranking_changed(operation_ids=operation_ids)


admin.site.unregister(Candidate)


@admin.register(Candidate)
class CandidateRankingAdmin(CandidateAdmin):
    def save_model(self, request: HttpRequest, obj: Candidate, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        ids = [obj.village_election_id]
        _refresh_or_warn(request, lambda: standings_refresh_for_village_elections(village_election_ids=ids))

    def delete_model(self, request: HttpRequest, obj: Candidate) -> None:
        ids = [obj.village_election_id]
        super().delete_model(request, obj)
        _refresh_or_warn(request, lambda: standings_refresh_for_village_elections(village_election_ids=ids))


# Ranking rows carry the names of their desa, kecamatan and Polsek: a rename or a move is copied.
admin.site.unregister(Kecamatan)


@admin.register(Kecamatan)
class KecamatanRankingAdmin(KecamatanAdmin):
    def save_model(self, request: HttpRequest, obj: Kecamatan, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            standings_refresh_places(kecamatan_ids=[obj.pk])


admin.site.unregister(Desa)


@admin.register(Desa)
class DesaRankingAdmin(DesaAdmin):
    def save_model(self, request: HttpRequest, obj: Desa, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            standings_refresh_places(desa_ids=[obj.pk])
