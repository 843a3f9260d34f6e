"""One officer's page: the target of every officer's name on the board, proposals and team lists."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from operations import permissions
from operations.models import Officer
from operations.pages import allowed
from operations.selectors.personnel import personnel_profile


@allowed(permissions.is_hq)
def personnel_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        profile = personnel_profile(officer_id=pk)
    except Officer.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "operations/personnel.html",
        {"profile": profile, "officer": profile.officer, "history": profile.history},
    )
