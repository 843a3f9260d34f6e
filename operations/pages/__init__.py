"""HTML pages. Each view parses input, calls one selector or service, and renders."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jobs.models import Job
from operations.models import Operation


def allowed(predicate: Callable) -> Callable:
    """Log in first, then refuse (403) users the permission predicate does not allow."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def to_latest_operation(request: HttpRequest, url_name: str) -> HttpResponse:
    """The nav's entry points: the named page of the most recent operation, or home saying there is none."""
    operation = Operation.objects.order_by("-starts_on", "pk").first()
    if operation is None:
        messages.info(request, _("Belum ada operasi."))
        return redirect("home")
    return redirect(url_name, operation_id=operation.pk)


def export_offer(
    request: HttpRequest,
    *,
    operation: Operation,
    heading: str,
    rows: int,
    back_url: str,
    start: Callable[[], Job],
) -> HttpResponse:
    """A download too long for a request: its URL offers the job, and a POST to it ``start``s the
    job and follows it on the job's page."""
    if request.method == "POST":
        return redirect("job-page", pk=start().pk)
    return render(
        request,
        "operations/export_offer.html",
        {
            "operation": operation,
            "heading": heading,
            "rows": rows,
            "action": request.get_full_path(),
            "file_format": request.resolver_match.kwargs["file_format"],
            "back_url": back_url,
        },
    )
