"""The nav's notice badge: the count as JSON for static/js/notifications.js, polled with ETag/304."""

import hashlib
import json

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET

from operations.pages import allowed
from operations.selectors.notifications import has_notices, notice_for
from operations.templatetags.notices import notice_text


@require_GET
@allowed(has_notices)
def notices(request: HttpRequest) -> HttpResponse:
    notice = notice_for(user=request.user)
    body = json.dumps(
        {
            "kind": notice.kind,
            "count": notice.count,
            "text": notice_text(notice),
            "url": reverse(notice.list_url_name),
        },
        ensure_ascii=False,
    ).encode()
    # Derived from the body: the same count in the same language answers 304.
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
