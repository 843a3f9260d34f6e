"""Logs as one JSON object per line, each carrying the request's id; one line per request.

The request id comes from the proxy's X-Request-ID when it sends a sane one (nginx: $request_id), so
a line in nginx's log and the app's match; otherwise one is made. It is answered back in
X-Request-ID, and every log record written while the request runs carries it.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
logger = logging.getLogger("pilkades.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    # Read the user only if something already loaded it: loading it here would cost a query per
    # request, and fail again when the database is what failed.
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return None
        user = user._wrapped
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Kept until the response is finished (below), not reset on the way out: Django logs a 4xx or
        # 5xx answer after the whole middleware chain has returned.
        request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": _user_id(request),
            },
        )
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs) -> None:
    request_id.set(None)
