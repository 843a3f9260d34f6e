from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from operations import permissions
from operations.selectors.start import latest_operation, ops_desk, polsek_villages


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts on what it needs: the Kabag Ops on his open work, a Polsek on his villages,
    the Kapolres (Pimpinan) on the dashboard."""
    user = request.user
    if permissions.is_kabag_ops(user):
        return render(request, "operations/home_ops.html", {"desk": ops_desk(operation=latest_operation())})
    if permissions.is_polsek(user):
        villages = polsek_villages(
            visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(user), operation=latest_operation()
        )
        return render(request, "operations/home_polsek.html", {"villages": villages})
    # With no operation yet (a new install) the dashboard would send him back here: stay on home.
    if permissions.is_pimpinan(user) and latest_operation() is not None:
        return redirect("dashboard-latest")
    return render(request, "operations/home.html")
