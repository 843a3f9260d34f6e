"""Admin for the command catalogues the Kabag Ops edits: positions (jabatan) and capabilities."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from operations.models import Capability, Position


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "command_order", "officer_count"]
    list_filter = ["category"]
    search_fields = ["name", "spellings"]
    ordering = ["command_order", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(officer_count=Count("officers"))

    @admin.display(description=_("jumlah personel"), ordering="officer_count")
    def officer_count(self, obj: Position) -> int:
        return obj.officer_count


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit_kind", "officer_count"]
    list_filter = ["unit_kind"]
    search_fields = ["name", "code"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(officer_count=Count("officers"))

    @admin.display(description=_("personel bertanda"), ordering="officer_count")
    def officer_count(self, obj: Capability) -> int:
        return obj.officer_count
