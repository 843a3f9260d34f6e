"""API tokens: a service account's (the tools that call the API) and a person's (his password exchanged).

A service account is a user with no usable password who is neither staff nor superuser: it can only
authenticate with its token, so revoking the token shuts it out completely. Its token (DRF's
``Token``) is minted here by Kabag Ops and lives until revoked.

A person gets a ``PersonToken`` for his username and password at /api/v1/auth/token/: it expires
after ``settings.PERSON_TOKEN_LIFETIME``, dies with a password change or deactivation, and is
revoked by its holder, by ``api_token revoke`` or in the admin. Superusers get none: a key that
opens everything must not outlive a browser session; they use the admin.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from operations.models.tokens import SHOWN_KEY_LENGTH, PersonToken, is_service_account, person_key_digest
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
    elif not is_service_account(user):
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


@dataclass(frozen=True)
class IssuedPersonToken:
    key: str
    expires: datetime.datetime


@transaction.atomic
def person_token_create(*, user: AbstractBaseUser) -> IssuedPersonToken:
    """Issue a new token to ``user``, who has just given his password; his expired tokens go."""
    if user.is_superuser:
        raise PermissionDenied(
            _("Superuser tidak mendapat token API. Gunakan halaman admin, atau minta token layanan.")
        )
    if not user.is_active:
        raise PermissionDenied(_("Akun tidak aktif."))
    PersonToken.objects.filter(user=user).expired().delete()
    key = PersonToken.new_key()
    now = timezone.now()
    token = PersonToken.objects.create(
        user=user,
        digest=person_key_digest(key),
        shown_key=key[:SHOWN_KEY_LENGTH],
        auth_hash=user.get_session_auth_hash(),
        created=now,
        expires=now + settings.PERSON_TOKEN_LIFETIME,
    )
    return IssuedPersonToken(key=key, expires=token.expires)


def person_token_revoke(*, token: PersonToken) -> None:
    """End one person token (its holder logging out): his other tokens keep working."""
    PersonToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def token_revoke(*, username: str) -> None:
    """Delete the account's tokens, its service token and any person tokens: the next API call answers 401."""
    deleted, _rows = Token.objects.filter(user__username=username).delete()
    persons, _rows = PersonToken.objects.filter(user__username=username).delete()
    if not deleted and not persons:
        raise ValidationError(
            {"username": _("Akun %(username)s tidak punya token.") % {"username": username}},
            code="no_token",
        )


@dataclass(frozen=True)
class ListedToken:
    username: str
    kind: str
    role: str
    key: str
    created: datetime.datetime
    expires: datetime.datetime | None


def tokens_list() -> list[ListedToken]:
    """Service tokens and live person tokens, with the key shortened: a listing must not leak keys."""
    service = (
        Token.objects.filter(user__in=service_accounts())
        .select_related("user")
        .prefetch_related("user__groups")
    )
    persons = PersonToken.objects.live().select_related("user").prefetch_related("user__groups")
    listed = [
        ListedToken(
            username=token.user.get_username(),
            kind=_("layanan"),
            role=_roles(token.user),
            key=f"{token.key[:8]}…",
            created=token.created,
            expires=None,
        )
        for token in service
    ] + [
        ListedToken(
            username=token.user.get_username(),
            kind=_("orang"),
            role=_roles(token.user),
            key=f"{token.shown_key}…",
            created=token.created,
            expires=token.expires,
        )
        for token in persons
    ]
    return sorted(listed, key=lambda token: (token.username, token.created))


def _roles(user: AbstractBaseUser) -> str:
    return ", ".join(sorted(group.name for group in user.groups.all()))
