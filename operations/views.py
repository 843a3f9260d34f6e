from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from operations import permissions


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "operations/home.html",
        {
            "is_hq": permissions.is_hq(request.user),
            "is_kabag_ops": permissions.is_kabag_ops(request.user),
            "is_polsek": permissions.is_polsek(request.user),
        },
    )
