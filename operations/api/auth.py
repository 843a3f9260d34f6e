"""The API's login and logout for persons: a username and password in, a person token out.

The exchange is a login like the web form's: it goes through django-axes (the request is passed to
``authenticate``), so failures here count toward the same lockout, and a locked account is told so
with 429 and Retry-After instead of being answered like a wrong password. Each attempt costs a
password hash, so the endpoint has its own rate per address on top of the lockout.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from operations.authentication import TokenAuthentication
from operations.lockout import cool_off, duration_text
from operations.models import PersonToken
from operations.services.tokens import person_token_create, person_token_revoke
from pilkades.serializers import StrictInput
from pilkades.throttles import SimpleRateThrottle


class TokenObtainThrottle(SimpleRateThrottle):
    """Attempts per client address, whoever they name: the rate ``auth-token`` in the settings."""

    scope = "auth-token"

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, request: Request) -> None:
        length = cool_off(request)
        if length is None:
            self.status_code = status.HTTP_403_FORBIDDEN
            detail = _("Terlalu banyak percobaan masuk yang gagal; akun dikunci. Hubungi admin Polres.")
        else:
            # Every attempt while locked starts the wait again, so it is the whole length from now.
            self.wait = int(length.total_seconds())
            detail = _(
                "Terlalu banyak percobaan masuk yang gagal; akun dikunci sementara. Coba lagi "
                "%(duration)s setelah percobaan terakhir."
            ) % {"duration": duration_text(length)}
        super().__init__(detail)


class TokenRequestSerializer(StrictInput, serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Nama pengguna"), max_length=150)
    password = serializers.CharField(
        label=gettext_lazy("Sandi"), max_length=1024, trim_whitespace=False, write_only=True
    )


class PersonTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        source="key", help_text=gettext_lazy("Kirim sebagai header: Authorization: Token <token>.")
    )
    expires = serializers.DateTimeField(help_text=gettext_lazy("Setelah saat ini token ditolak (401)."))


class TokenObtainView(APIView):
    """Exchange a username and password for a person token that expires (superusers get none)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: PersonTokenSerializer,
            403: OpenApiResponse(description=gettext_lazy("Superuser: gunakan halaman admin.")),
            429: OpenApiResponse(
                description=gettext_lazy("Terlalu banyak percobaan, atau akun dikunci sementara.")
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # The request goes along so that django-axes refuses a locked account and counts a failure.
        user = authenticate(request=request, **given.validated_data)
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(request)
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Nama pengguna atau sandi salah.")]}, code="authorization"
            )
        issued = person_token_create(user=user)
        return Response(PersonTokenSerializer(issued).data)


class TokenRevokeView(APIView):
    """Log out: the person token that authenticates this request stops working."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, PersonToken):
            raise exceptions.PermissionDenied(
                _(
                    "Hanya token orang yang dicabut di sini; token layanan dicabut dengan "
                    "api_token revoke atau di admin."
                )
            )
        person_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
