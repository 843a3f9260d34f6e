"""API tokens for service accounts: the tools (a Polda dashboard, a messaging bot, a GIS) that call the API.

A service account is a user with no usable password who is neither staff nor superuser: it can only
authenticate with its token, so revoking the token shuts it out completely. Tokens are never minted
here for a person's account, whose login would then bypass the password and the lockout.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from operations.roles import KABAG_OPS, PIMPINAN

# Polsek is not offered: a Polsek user's jurisdiction comes from his officer record, which a
# tool does not have, so a Polsek token would see nothing.
SERVICE_ROLES = (PIMPINAN, KABAG_OPS)


@dataclass(frozen=True)
class ServiceToken:
    username: str
    role: str
    key: str


def service_accounts() -> QuerySet:
    """Users that can only log in with a token."""
    return get_user_model().objects.filter(
        password__startswith=UNUSABLE_PASSWORD_PREFIX, is_staff=False, is_superuser=False
    )


def _is_service_account(user: AbstractBaseUser) -> bool:
    return not user.has_usable_password() and not user.is_staff and not user.is_superuser


@transaction.atomic
def token_create(*, username: str, role: str = PIMPINAN) -> ServiceToken:
    """Create (or reuse) the service account ``username`` in ``role`` and return its token.

    Running it again for the same account keeps the account and its token; a different role
    replaces the account's role.
    """
    if role not in SERVICE_ROLES:
        raise ValidationError(
            {
                "role": _("Peran %(role)s tidak dikenal; pilih salah satu: %(choices)s.")
                % {"role": role, "choices": ", ".join(SERVICE_ROLES)}
            },
            code="invalid_role",
        )
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Nama akun wajib diisi.")}, code="required")
    user_model = get_user_model()
    user = user_model.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = user_model(username=username, is_staff=False, is_superuser=False)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    elif not _is_service_account(user):
        raise ValidationError(
            {
                "username": _(
                    "Akun %(username)s adalah akun orang (punya kata sandi atau akses staf), "
                    "bukan akun layanan; token hanya untuk akun layanan."
                )
                % {"username": username}
            },
            code="not_service_account",
        )
    user.groups.set([Group.objects.get(name=role)])
    token, _created = Token.objects.get_or_create(user=user)
    return ServiceToken(username=user.get_username(), role=role, key=token.key)


@transaction.atomic
def token_revoke(*, username: str) -> None:
    """Delete the account's token: its next API call answers 401."""
    deleted, _rows = Token.objects.filter(user__username=username).delete()
    if not deleted:
        raise ValidationError(
            {"username": _("Akun %(username)s tidak punya token.") % {"username": username}},
            code="no_token",
        )


def tokens_list() -> list[ServiceToken]:
    """Service accounts holding a token, with the key shortened: a listing must not leak keys."""
    tokens = (
        Token.objects.filter(user__in=service_accounts())
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("user__username")
    )
    return [
        ServiceToken(
            username=token.user.get_username(),
            role=", ".join(sorted(group.name for group in token.user.groups.all())),
            key=f"{token.key[:8]}…",
        )
        for token in tokens
    ]
