"""HTML pages. Each view parses input, calls one selector or service, and renders."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


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
