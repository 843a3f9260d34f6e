"""The API's schema and its two readers, served by the app itself under its own CSP.

Swagger UI loads its start-up script as a file from the same view (``?script``), not inline; Redoc
reads the schema address from its element and fetches no web font. Their errors answer in JSON.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from pilkades.api_errors import JsonErrorsMixin


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class SwaggerView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    pass


class RedocView(JsonErrorsMixin, SpectacularRedocView):
    template_name = "api/redoc.html"
