from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from operations.forms.login import LoginForm
from pilkades import health
from pilkades.api_docs import RedocView, SchemaView, SwaggerView

# Answers Django gives itself: JSON in the shared error shape under /api/, the usual pages elsewhere.
handler400 = "pilkades.api_errors.bad_request"
handler403 = "pilkades.api_errors.permission_denied"
handler404 = "pilkades.api_errors.not_found"
handler500 = "pilkades.api_errors.server_error"


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page links to: point them at the app's icon."""

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


class LogoutView(auth_views.LogoutView):
    """Logging out leaves nothing of this user on a shared phone: the field app's queue (IndexedDB),
    its cached pages and its service worker are cleared by the browser (static/js/field-queue.js
    does the same first, for browsers that ignore the header).

    Unless the phone's queue holds another user's reports, waiting for him to log in again (made
    without signal, after his session ended): the field app removes this user's items and pages
    itself and says so (``antrian_lain``), and the browser is asked to clear only its HTTP cache,
    not the storage those reports are in."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        others_waiting = request.POST.get("antrian_lain") == "1"
        response["Clear-Site-Data"] = '"cache"' if others_waiting else '"cache", "storage"'
        return response


urlpatterns = [
    # Answered by pilkades.health.HealthMiddleware before any host check; here for reverse().
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    # The API first, election day's before the rest: Django tries patterns in order, and the day's
    # check-ins and steps (the busiest requests) otherwise matched only after ~200 page and API
    # patterns (0.26 ms of each request). No two of these patterns match the same path.
    path("api/v1/", include("election_day.api.urls")),
    path("api/v1/", include("operations.api.urls")),
    path("", include("operations.urls")),
    path("", include("election_day.urls")),
    path("", include("jobs.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
]
