"""Project middleware: the API's missing-slash answer, no caching of anything confidential, the
language of pages, the app's own 404 page in DEBUG, and the offline queue's user check."""

import contextlib

from django.conf import settings
from django.http import Http404
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import get_resolver
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import escape_leading_slashes
from django.utils.translation import gettext as _

from pilkades.api_errors import api_error, is_api_request


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that an API path missing its trailing slash is answered 308, in JSON.

    Django's 301 makes clients repeat a POST as a GET without its body (and in DEBUG it raises);
    a 308 makes them repeat the same method with the same body, and the JSON body names the right
    address for those that do not follow redirects.
    """

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and is_api_request(request)
            and self.should_redirect_with_slash(request)
        ):
            location = escape_leading_slashes(request.get_full_path(force_append_slash=True))
            redirect = api_error(
                308,
                _("Alamat API selalu diakhiri garis miring: gunakan %(url)s") % {"url": location},
            )
            redirect["Location"] = location
            return redirect
        return super().process_response(request, response)


class NoStoreMiddleware:
    """Answers about police planning are never kept by a shared proxy or the browser's cache.

    Every answer to a logged-in user (pages, exports, the admin) and every answer of the API
    (token-authenticated or refused) is marked ``no-store, private``. Static files never get here:
    WhiteNoise, above this middleware, answers them with its own long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # absent when a middleware above answered first
        if is_api_request(request) or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response


# The user a request from the field app's offline queue acts for; on answers, the logged-in user.
QUEUE_USER_HEADER = "X-Pilkades-User"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class QueueUserMiddleware:
    """On a shared phone, a write from the offline queue acts only for the user who queued it.

    The queue (static/js/field-queue.js) sends each item with ``X-Pilkades-User``: the id of the
    user who made it. When the session belongs to someone else (the next officer logged in on the
    same phone), the write is refused with 409 before any view runs, and the queue keeps the item
    waiting for its owner. A write without the header (an item queued by an older release, any
    other client) goes to the views unchanged; so does one without a logged-in session, which the
    views refuse as unauthenticated.

    Every answer to a logged-in browser names its user in the same header: the service worker keys
    its copies of the field pages by it, so a copy is only ever shown to the user it was made for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stated = request.headers.get(QUEUE_USER_HEADER)
        user = request.user
        if stated and request.method not in SAFE_METHODS and user.is_authenticated and stated != str(user.pk):
            response = api_error(
                409,
                _(
                    "Item antrian ini dibuat oleh pengguna lain di ponsel ini dan tidak dikirim atas "
                    "nama Anda. Item tetap di antrian sampai pemiliknya masuk lagi."
                ),
            )
        else:
            response = self.get_response(request)
        user = request.user  # the login view may have changed it
        if user.is_authenticated:
            response[QUEUE_USER_HEADER] = str(user.pk)
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Pages in Bahasa Indonesia for everyone; English only when the user picked it (the language cookie).

    Police PCs and phones are often set to English, so the browser's Accept-Language says nothing
    about what the desk should speak. API clients choose per request: /api/ still follows
    Accept-Language, as Django's middleware does — except the pages' own calls (the browser's
    session, no Authorization header), whose labels are drawn into a page and speak its language.
    """

    def process_request(self, request):
        from_a_page = (
            settings.SESSION_COOKIE_NAME in request.COOKIES and "Authorization" not in request.headers
        )
        if is_api_request(request) and not from_a_page:
            return super().process_request(request)
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            with contextlib.suppress(LookupError):  # an unknown code in the cookie: Indonesian
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class AppNotFoundPageMiddleware:
    """In DEBUG too (the one-command demo), a 404 is answered as in production: ``handler404``.

    Django answers a 404 in DEBUG with its technical page (in English, listing the URL patterns)
    and calls ``handler404`` only when DEBUG is off: pages get the app's own 404 page, and a path
    under /api/ its JSON error instead of HTML. Answers already made by a view (JSON) stay.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return get_resolver().resolve_error_handler(404)(request, Http404())
        return response
