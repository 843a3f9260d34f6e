"""API tokens in the admin: Kabag Ops issues and revokes the tokens of service accounts.

The role groups hold no ``authtoken`` permissions, so this admin grants access by role. Outside a
superuser's hands it lists and issues tokens for service accounts only: a token for a person's
account would let its holder act as that person without password or lockout.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from operations import permissions
from operations.services.tokens import service_accounts

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ServiceTokenAdmin(TokenAdmin):
    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_staff and permissions.is_kabag_ops(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A token has nothing to edit: revoke it and issue a new one.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__in=service_accounts())

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = service_accounts().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
