"""The audit trail in the admin: every old version can be read, none restored."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class AuditHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history saves a POST to an old version's page after checking only the *view*
    permission, and past the admin's own save hooks: a read-only report could be rolled back to a
    draft, a risk level restored without its service. Changes go through the forms and services.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None) -> bool:
        return True
