"""The API's schema and its two readers, served by the app itself under its own CSP.

Swagger UI loads its start-up script as a file from the same view (``?script``), not inline; Redoc
reads the schema address from its element and fetches no web font (README: the docs need no CDN
and no internet). Their errors answer in JSON.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from pilkades.api_errors import JsonErrorsMixin


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class SwaggerView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    pass


# Redoc builds its search index in a worker made from a blob: URL; only this page may do that.
@method_decorator(csp_update({"worker-src": ["'self'", "blob:"]}), name="dispatch")
class RedocView(JsonErrorsMixin, SpectacularRedocView):
    template_name = "api/redoc.html"
