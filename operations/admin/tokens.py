"""API tokens in the admin: Kabag Ops issues and revokes service tokens and revokes person tokens.

The role groups hold no ``authtoken`` or token permissions, so these admins grant access by role.
Service tokens are issued for service accounts only, superuser or not: a token in that table for a
person's account would let its holder act as that person without password, lockout or expiry (and
authentication refuses it). Person tokens are issued only at /api/v1/auth/token/ for a password;
here they are listed with their expiry and revoked.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from operations import permissions
from operations.models import PersonToken
from operations.services.tokens import service_accounts

admin.site.unregister(TokenProxy)


class _KabagOpsOnly:
    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_staff and permissions.is_kabag_ops(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A token has nothing to edit: revoke it and issue a new one.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)


@admin.register(TokenProxy)
class ServiceTokenAdmin(_KabagOpsOnly, TokenAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(user__in=service_accounts())

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = service_accounts().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PersonToken)
class PersonTokenAdmin(_KabagOpsOnly, admin.ModelAdmin):
    list_display = ["user", "shown_key_text", "created", "expires", "is_live"]
    list_filter = ["expires"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "shown_key_text", "created", "expires", "is_live"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Issued only for a password, at /api/v1/auth/token/.
        return False

    @admin.display(description=_("awal kunci"))
    def shown_key_text(self, token: PersonToken) -> str:
        return f"{token.shown_key}…"

    @admin.display(description=_("berlaku"), boolean=True)
    def is_live(self, token: PersonToken) -> bool:
        return token.is_live
