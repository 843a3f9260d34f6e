from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import delivery_redeliver, endpoint_delete, endpoint_save, endpoints_changed


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "description", "event_types", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = ["created_by", "created_at"]
    # A receiver's address typed without a scheme is taken as https (Django's form would prefix
    # http:// until 6.0): signed events are not sent in clear text by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        endpoint_save(endpoint=obj)

    def delete_model(self, request, obj):
        endpoint_delete(endpoint=obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        endpoints_changed()


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: status, attempts, last error; 'Kirim ulang' sends again."""

    list_display = [
        "pk",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
    ]
    list_filter = ["status", "endpoint", "event__type"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Kirim ulang pengiriman terpilih"), permissions=["change"])
    def redeliver(self, request, queryset):
        for delivery in queryset:
            delivery_redeliver(delivery=delivery)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%(count)d pengiriman dijadwalkan ulang.", "%(count)d pengiriman dijadwalkan ulang.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
