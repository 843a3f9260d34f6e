from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from operations.admin.roster_import import RosterImportAdminMixin
from operations.models import BkoContingent, Jurisdiction, Officer, Operation, Unit
from operations.roster import OfficerResource
from operations.services.officers import officer_save
from operations.services.standings import standings_refresh_places
from pilkades.admin_history import AuditHistoryAdmin


class JurisdictionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # The unit is this inline's hidden parent key, so errors the model raises on it (a
        # non-Polsek holding kecamatan) would render nowhere; show them above the rows instead.
        messages = {message for form in self.forms for message in form.errors.get("unit", [])}
        if messages:
            raise ValidationError(sorted(messages))


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    formset = JurisdictionFormSet
    extra = 0
    autocomplete_fields = ["kecamatan"]


@admin.register(Unit)
class UnitAdmin(AuditHistoryAdmin):
    list_display = ["name", "kind", "parent", "supplies_bko", "officer_count"]
    list_filter = ["kind", "supplies_bko"]
    search_fields = ["name"]
    ordering = ["kind", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [JurisdictionInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "parent", "supplies_bko"]}),
        (_("Markas"), {"fields": ["hq_address", "hq_latitude", "hq_longitude"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(officer_count=Count("officers"))

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # After the inline: kecamatan handed to or taken from this Polsek, or its new name.
        super().save_related(request, form, formsets, change)
        standings_refresh_places(unit_ids=[form.instance.pk])

    @admin.display(description=_("jumlah personel"), ordering="officer_count")
    def officer_count(self, obj: Unit) -> int:
        return obj.officer_count


class OfficerForm(forms.ModelForm):
    class Meta:
        model = Officer
        exclude: list[str] = []

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        # Checked and saved by the service under the officer's row lock (the admin's changeform
        # transaction wraps it), so a change that would break a posting is a field error, never a 500.
        try:
            officer_save(officer=self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Officer)
class OfficerAdmin(RosterImportAdminMixin, ImportExportModelAdmin, AuditHistoryAdmin):
    # Roster import with a dry-run preview and CSV/XLSX export, through the same resource as
    # `manage.py import_roster`.
    resource_classes = [OfficerResource]
    list_display = ["nrp", "name", "rank", "position", "jabatan", "unit", "home_desa", "is_active", "is_demo"]
    list_filter = ["unit__kind", "unit", "jabatan__category", "capabilities", "rank", "is_active", "is_demo"]
    search_fields = ["nrp", "name", "position"]
    ordering = ["-rank", "name"]
    list_select_related = ["unit", "home_desa", "jabatan"]
    autocomplete_fields = ["unit", "home_desa", "desa_binaan", "user"]
    filter_horizontal = ["capabilities"]
    readonly_fields = ["is_demo"]
    form = OfficerForm
    fieldsets = [
        (None, {"fields": ["nrp", "name", "rank", "unit", "is_active", "is_demo"]}),
        (_("Jabatan dan kemampuan"), {"fields": ["position", "jabatan", "desa_binaan", "capabilities"]}),
        (_("Netralitas dan kontak"), {"fields": ["home_desa", "phone", "user"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Saved by the service in the form's clean; a second save would only repeat it."""


class BkoContingentInline(admin.TabularInline):
    model = BkoContingent
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Operation)
class OperationAdmin(AuditHistoryAdmin):
    list_display = ["name", "election", "sprin_number", "starts_on", "ends_on", "status", "pattern_set"]
    list_filter = ["status", "election"]
    search_fields = ["name", "sprin_number"]
    ordering = ["-starts_on", "name"]
    list_select_related = ["election", "pattern_set"]
    autocomplete_fields = ["election"]
    readonly_fields = ["assignment_version"]
    inlines = [BkoContingentInline]
    fieldsets = [
        (None, {"fields": ["name", "election", "status", "starts_on", "ends_on", "assignment_version"]}),
        (
            _("Pola dan kebutuhan"),
            {
                "fields": [
                    "pattern_set",
                    "unassessed_level",
                    "escorts_per_candidate",
                    "boat_team_size",
                    "reaction_reserve",
                ]
            },
        ),
        (
            _("Pelabuhan penyeberangan"),
            {"fields": ["sea_port_name", "sea_port_latitude", "sea_port_longitude"]},
        ),
        (
            _("Surat perintah"),
            {
                "fields": [
                    "sprin_number",
                    "order_date",
                    "order_basis",
                    "order_purpose",
                    "signatory_name",
                    "signatory_rank",
                    "signatory_nrp",
                ]
            },
        ),
    ]


@admin.register(BkoContingent)
class BkoContingentAdmin(AuditHistoryAdmin):
    list_display = ["unit", "operation", "status", "expected_strength", "arrived_on", "released_on"]
    list_filter = ["status", "operation", "unit"]
    search_fields = ["unit__name", "operation__name"]
    ordering = ["operation", "unit__name"]
    list_select_related = ["unit", "operation"]
    autocomplete_fields = ["operation", "unit"]
