"""API token authentication that reads the token, its user and the user's roles in one statement.

DRF's TokenAuthentication builds an ORM query for the token and its user, and the first role check
another for the groups: together about 1.5 ms of query building on every API request, a third of a
cached ranking page under load. This keeps DRF's answers (same messages, same checks) and fills the
role cache that ``operations.permissions`` reads, from one SQL statement built once.

Two kinds of token share the ``Token`` keyword: a service account's (DRF's ``Token``, looked up by
its key) and a person's (``PersonToken``, looked up by the digest of a key that starts with
``PERSON_KEY_PREFIX``), which expires and dies with a password change. A key in DRF's table that
belongs to a person's account is refused: those were issued without expiry before person tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Field, Model
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from operations.models.tokens import PERSON_KEY_PREFIX, PersonToken, is_service_account, person_key_digest
from operations.roles import ROLE_GROUPS


@dataclass(frozen=True)
class _Statement:
    sql: str
    token_fields: list[Field]
    user_fields: list[Field]
    converters: dict[Field, list]


@cache
def _statement(vendor: str, token_model: type[Model], lookup: str) -> _Statement:
    user_model = get_user_model()
    quote = connection.ops.quote_name
    user_table, user_pk = quote(user_model._meta.db_table), quote(user_model._meta.pk.column)
    memberships = user_model.groups.through._meta
    roles = ", ".join(
        f"EXISTS (SELECT 1 FROM {quote(memberships.db_table)} m"
        f" JOIN {quote(Group._meta.db_table)} g ON g.{quote(Group._meta.pk.column)}"
        f" = m.{quote(memberships.get_field('group').column)}"
        f" WHERE m.{quote(memberships.get_field('user').column)} = u.{user_pk} AND g.{quote('name')} = %s)"
        for _role in ROLE_GROUPS
    )
    token = token_model._meta
    token_fields = list(token.concrete_fields)
    user_fields = list(user_model._meta.concrete_fields)
    sql = (
        "SELECT "
        + ", ".join(
            [*(f"t.{quote(f.column)}" for f in token_fields), *(f"u.{quote(f.column)}" for f in user_fields)]
        )
        + f", {roles} FROM {quote(token.db_table)} t JOIN {user_table} u"
        f" ON u.{user_pk} = t.{quote(token.get_field('user').column)}"
        f" WHERE t.{quote(token.get_field(lookup).column)} = %s"
    )
    converters = {}
    for field in [*token_fields, *user_fields]:
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        converters[field] = [(converter, column) for converter in found]
    return _Statement(sql=sql, token_fields=token_fields, user_fields=user_fields, converters=converters)


def _to_python(statement: _Statement, field: Field, value):
    """The backend's raw value as the ORM would give it (SQLite returns datetimes as text)."""
    for converter, column in statement.converters[field]:
        value = converter(value, column, connection)
    return value


def _instance(statement: _Statement, model: type[Model], fields: list[Field], values) -> Model:
    python_values = [_to_python(statement, f, v) for f, v in zip(fields, values, strict=True)]
    return model.from_db(connection.alias, [f.attname for f in fields], python_values)


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
        statement = _statement(connection.vendor, token_model, lookup)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [*ROLE_GROUPS, value])
            found = cursor.fetchone()
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token_count, user_count = len(statement.token_fields), len(statement.user_fields)
        token = _instance(statement, token_model, statement.token_fields, found[:token_count])
        user = _instance(
            statement,
            get_user_model(),
            statement.user_fields,
            found[token_count : token_count + user_count],
        )
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        flags = found[token_count + user_count :]
        user._role_names = {role for role, member in zip(ROLE_GROUPS, flags, strict=True) if member}
        token.user = user
        return user, token
