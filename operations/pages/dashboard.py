"""The HQ dashboard: the whole operation at a glance, for Pimpinan and Kabag Ops."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from operations import permissions
from operations.models import Operation
from operations.pages import allowed, to_latest_operation
from operations.selectors.dashboard import dashboard_for_operation


@allowed(permissions.is_hq)
def dashboard_latest(request: HttpRequest) -> HttpResponse:
    """The nav's entry point: the most recent operation's dashboard."""
    return to_latest_operation(request, "dashboard")


@allowed(permissions.is_hq)
def dashboard(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = get_object_or_404(Operation.objects.select_related("election"), pk=operation_id)
    return render(
        request,
        "operations/dashboard.html",
        {
            "dashboard": dashboard_for_operation(operation=operation),
            "operation": operation,
            "can_verify": permissions.can_verify_reports(request.user),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )
