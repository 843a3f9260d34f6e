"""One error shape for the whole API: {"detail": ..., "errors": {field: [messages]}}."""

import sys

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.drainage import get_override
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from pilkades.errors import WrongState


def _as_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        errors = dict(exc.message_dict)
        if "__all__" in errors:
            errors["non_field_errors"] = errors.pop("__all__")
        return exceptions.ValidationError(errors)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class StateConflict(exceptions.APIException):
    """409: the object's state refuses the transition (a service's ``WrongState``)."""

    status_code = 409

    def __init__(self, exc: WrongState):
        self.messages = exc.messages
        super().__init__({"non_field_errors": self.messages})


def exception_handler(exc, context):
    # A transition the state refuses (verify a verified report) is a conflict, not bad input: 409.
    if isinstance(exc, WrongState):
        exc = StateConflict(exc)
    # Services raise Django's ValidationError; the API answers it as a 400 like any other.
    elif isinstance(exc, DjangoValidationError):
        exc = _as_drf(exc)
    # get_object_or_404 (and DRF's get_object) write "No Operation matches the given query." in
    # English whatever the language: answer DRF's own translated "Not found." instead.
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": gettext("Data tidak valid."), "errors": data}
    elif isinstance(exc, StateConflict):
        response.data = {"detail": " ".join(exc.messages), "errors": response.data}
    return response


class ApiErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer of the API."""

    detail = serializers.CharField(help_text=_("Pesan kesalahan untuk manusia."))
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=_("Hanya pada 400: pesan per field, {field: [pesan]}; non_field_errors untuk keseluruhan."),
    )


RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": _("Detik sampai permintaan boleh dicoba lagi."),
    }
}


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The strings the field accepts, as a pattern: at least one digit, no sign when it has a floor >= 0.

    drf-spectacular's own (``^-?\\d{0,4}(?:\\.\\d{0,2})?$``) admits "" and negatives that the
    field and the model's validators refuse, so a client generating values from the schema is
    answered 400.
    """
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    if field.max_whole_digits is None:
        whole = r"\d+"
    elif field.max_whole_digits == 0:
        whole = "0"
    else:
        whole = rf"\d{{1,{field.max_whole_digits}}}"
    if field.decimal_places is None:
        fraction = r"(?:\.\d+)?"
    elif field.decimal_places:
        fraction = rf"(?:\.\d{{1,{field.decimal_places}}})?"
    else:
        fraction = ""
    return f"^{sign}{whole}{fraction}$"


class ApiSchema(AutoSchema):
    """Documents the error answers each operation can give, all in the shared error shape.

    Derived from what the view can actually do, so a new endpoint cannot forget them: 401/403
    behind a permission, 404 with a path parameter or a page number, 400 with input, 429 with a
    throttle. An error a view documents itself keeps its description and, if it has none, gets
    the shared body.
    """

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # drf-spectacular describes a component by the first docstring up the serializer's classes:
        # without one of its own, a serializer was described by a shared mixin's notes for
        # developers (pilkades.serializers). Only a class's own docstring (or an override) is used.
        if not vars(serializer.__class__).get("__doc__") and get_override(serializer, "description") is None:
            schema.pop("description", None)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_codes().items():
            responses.setdefault(code, {"description": description})
        for code, documented in responses.items():
            if code.startswith("4") and "content" not in documented:
                documented["content"] = self._get_response_for_code(
                    ApiErrorSerializer, code, media_types=["application/json"], direction=direction
                )["content"]
        if "429" in responses:
            responses["429"]["headers"] = RETRY_AFTER
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        content = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in content:
            content["pattern"] = decimal_pattern(field)
        return content

    def _error_codes(self) -> dict[str, str]:
        codes = {}
        has_input = self.method not in ("GET", "HEAD", "OPTIONS") or any(
            parameter["in"] == "query" for parameter in self._get_parameters()
        )
        if has_input:
            codes["400"] = _("Data tidak valid.")
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes["401"] = _("Belum masuk atau token tidak sah.")
            codes["403"] = _("Tidak berwenang.")
        if "{" in self.path:
            codes["404"] = _("Tidak ditemukan atau di luar wilayah hukum.")
        elif self._is_list_view() and self._get_paginator():
            codes["404"] = _("Halaman di luar jangkauan.")
        if self.view.get_throttles():
            codes["429"] = _("Terlalu banyak permintaan; coba lagi setelah Retry-After detik.")
        return codes


# --- answers Django gives outside any API view ---------------------------------------------------
#
# A path no route matches, a body over the upload limit, an unknown Host header, a crash: Django
# answers these itself, before or around the views. Under /api/ they are answered in the shared
# error shape too, so a client parses every answer of the API the same way.


def is_api_request(request) -> bool:
    # path_info: the path inside the app, whatever prefix (SCRIPT_NAME) it is served under.
    return request.path_info.startswith("/api/")


def api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": str(detail)}, status=status)


def bad_request(request, exception):
    """Django's 400 (a SuspiciousOperation: unknown host, body too big, too many fields)."""
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return api_error(413, _("Isi permintaan terlalu besar."))
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return api_error(400, _("Terlalu banyak field dalam permintaan."))
    return api_error(400, _("Permintaan tidak valid."))


def permission_denied(request, exception):
    if is_api_request(request):
        return api_error(403, _("Tidak berwenang."))
    return defaults.permission_denied(request, exception)


def not_found(request, exception):
    """A 404 outside any API view (a path no route matches) still answers the API in JSON."""
    if is_api_request(request):
        return api_error(404, _("Tidak ditemukan."))
    return defaults.page_not_found(request, exception)


# How long a client should wait before trying again when the database does not answer.
DATABASE_RETRY_AFTER_SECONDS = 30


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the database is down or restarting, not a fault of this request."""
    if is_api_request(request):
        response = api_error(503, _("Basis data sedang tidak dapat dihubungi; coba lagi sebentar lagi."))
    else:
        # Rendered without a request context: nothing on it may query the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # Django calls this inside its handler of the uncaught exception, which is still the current one.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if is_api_request(request):
        return api_error(500, _("Terjadi kesalahan pada server; sudah dicatat."))
    return defaults.server_error(request)


class JsonErrorsMixin:
    """For an API view that renders HTML or YAML (the docs, the schema): its errors still in JSON."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
