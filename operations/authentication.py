"""API token authentication that reads the token, its user and the user's roles in one statement;
the session's user read with his roles in one statement too (``ModelBackend``).

DRF's TokenAuthentication builds an ORM query for the token and its user, and the first role check
another for the groups: together about 1.5 ms of query building on every API request, a third of a
cached ranking page under load. This keeps DRF's answers (same messages, same checks) and fills the
role cache that ``operations.permissions`` reads, from one SQL statement built once
(``pilkades.sqlrows`` turns its row into the token and the user).

Two kinds of token share the ``Token`` keyword: a service account's (DRF's ``Token``, looked up by
its key) and a person's (``PersonToken``, looked up by the digest of a key that starts with
``PERSON_KEY_PREFIX``), which expires and dies with a password change. A key in DRF's table that
belongs to a person's account is refused: those were issued without expiry before person tokens.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Model
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from operations.models.tokens import PERSON_KEY_PREFIX, PersonToken, is_service_account, person_key_digest
from operations.roles import ROLE_GROUPS
from pilkades import sqlrows


def _roles_sql() -> str:
    """One flag per role of ``ROLE_GROUPS`` (its name a parameter): is user ``u`` in that group."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    memberships = user_model.groups.through._meta
    return ", ".join(
        f"EXISTS (SELECT 1 FROM {quote(memberships.db_table)} m"
        f" JOIN {quote(Group._meta.db_table)} g ON g.{quote(Group._meta.pk.column)}"
        f" = m.{quote(memberships.get_field('group').column)}"
        f" WHERE m.{quote(memberships.get_field('user').column)} = u.{quote(user_model._meta.pk.column)}"
        f" AND g.{quote('name')} = %s)"
        for _role in ROLE_GROUPS
    )


def _role_names(flags) -> set[str]:
    return {role for role, member in zip(ROLE_GROUPS, flags, strict=True) if member}


@cache
def _statement(vendor: str, token_model: type[Model], lookup: str) -> str:
    user_model = get_user_model()
    quote = connection.ops.quote_name
    return (
        f"SELECT {_columns(token_model).sql()}, {_user_columns().sql()}, {_roles_sql()}"
        f" FROM {sqlrows.table(token_model, 't')} JOIN {sqlrows.table(user_model, 'u')}"
        f" ON u.{quote(user_model._meta.pk.column)} = t.{quote(token_model._meta.get_field('user').column)}"
        f" WHERE t.{quote(token_model._meta.get_field(lookup).column)} = %s"
    )


def _columns(token_model: type[Model]) -> sqlrows.Columns:
    return sqlrows.Columns(token_model, "t")


def _user_columns() -> sqlrows.Columns:
    return sqlrows.Columns(get_user_model(), "u")


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        if key.startswith(PERSON_KEY_PREFIX):
            user, token = self._fetch(PersonToken, "digest", person_key_digest(key))
            if not token.is_live:
                raise exceptions.AuthenticationFailed(
                    _("Token sudah kedaluwarsa; minta token baru di /api/v1/auth/token/.")
                )
            if not constant_time_compare(token.auth_hash, user.get_session_auth_hash()):
                raise exceptions.AuthenticationFailed(
                    _("Token tidak berlaku lagi karena sandi akun telah diganti; minta token baru.")
                )
        else:
            user, token = self._fetch(Token, "key", key)
            if not is_service_account(user):
                raise exceptions.AuthenticationFailed(
                    _("Token lama akun orang tidak berlaku lagi; minta token baru di /api/v1/auth/token/.")
                )
        return user, token

    def _fetch(self, token_model: type[Model], lookup: str, value: str):
        with sqlrows.cursor() as cursor:
            cursor.execute(_statement(connection.vendor, token_model, lookup), [*ROLE_GROUPS, value])
            found = cursor.fetchone()
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token_columns, user_columns = _columns(token_model), _user_columns()
        token_row, user_row, flags = sqlrows.split(found, token_columns, user_columns)
        token = sqlrows.instance(token_columns, token_row)
        user = sqlrows.instance(user_columns, user_row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._role_names = _role_names(flags)
        token.user = user
        return user, token


@cache
def _session_user_statement(vendor: str) -> str:
    user_model = get_user_model()
    quote = connection.ops.quote_name
    return (
        f"SELECT {_user_columns().sql()}, {_roles_sql()} FROM {sqlrows.table(user_model, 'u')}"
        f" WHERE u.{quote(user_model._meta.pk.column)} = %s"
    )


class ModelBackend(backends.ModelBackend):
    """Django's, except that a session's user is read with his roles in one statement.

    Every page request and every poll of the Posko wall reads them; through the ORM that was two
    statements and the compiling of one (about half a millisecond of a 3 ms answer 304).
    """

    def get_user(self, user_id):
        with sqlrows.cursor() as cursor:
            cursor.execute(_session_user_statement(connection.vendor), [*ROLE_GROUPS, user_id])
            found = cursor.fetchone()
        if found is None:
            return None
        user_row, flags = sqlrows.split(found, _user_columns())
        user = sqlrows.instance(_user_columns(), user_row)
        user._role_names = _role_names(flags)
        return user if self.user_can_authenticate(user) else None
