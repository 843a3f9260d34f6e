"""The one-statement token authentication gives what DRF's would, with the roles already read.

Both kinds of token go through it: a service account's (DRF's table) and a person's (expiring).
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from operations import permissions
from operations.authentication import TokenAuthentication
from operations.models import PersonToken
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.services.tokens import person_token_create

pytestmark = pytest.mark.django_db

KINDS = ["service", "person"]


def _authenticate(key: str):
    return TokenAuthentication().authenticate_credentials(key)


def _key(kind: str, user) -> str:
    if kind == "person":
        return person_token_create(user=user).key
    user.set_unusable_password()  # a service account: no password, no staff access
    user.is_staff = False
    user.save()
    return Token.objects.create(user=user).key


def _stored_token(kind: str, token):
    model = PersonToken if kind == "person" else Token
    return model.objects.get(pk=token.pk)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", [KABAG_OPS, PIMPINAN, POLSEK, None])
def test_user_and_token_are_the_stored_ones_field_by_field(make_user, role, kind):
    user = make_user(role, first_name="Budi", last_login=timezone.now() - datetime.timedelta(days=2))
    key = _key(kind, user)

    found, token = _authenticate(key)

    stored = get_user_model().objects.get(pk=user.pk)
    for field in get_user_model()._meta.concrete_fields:
        mine, theirs = getattr(found, field.attname), getattr(stored, field.attname)
        assert mine == theirs and type(mine) is type(theirs), field.name
    assert token.user is found
    stored_token = _stored_token(kind, token)
    for field in type(token)._meta.concrete_fields:
        mine, theirs = getattr(token, field.attname), getattr(stored_token, field.attname)
        assert mine == theirs and type(mine) is type(theirs), field.name
    assert isinstance(token.created, datetime.datetime)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", [KABAG_OPS, PIMPINAN, POLSEK, None])
def test_roles_come_with_the_user_and_answer_like_the_groups(make_user, role, kind):
    user = make_user(role)
    Group.objects.get_or_create(name="Bukan peran")[0].user_set.add(user)
    found, _token = _authenticate(_key(kind, user))

    with CaptureQueriesContext(connection) as queries:
        answers = (
            permissions.is_kabag_ops(found),
            permissions.is_pimpinan(found),
            permissions.is_polsek(found),
        )
    assert len(queries) == 0
    assert answers == (role == KABAG_OPS, role == PIMPINAN, role == POLSEK)


@pytest.mark.parametrize(
    "fields",
    [{"is_staff": True, "is_superuser": True}, {"is_staff": True}, {}],
    ids=["superuser", "staff", "person"],
)
def test_a_person_accounts_token_in_the_service_table_is_refused(make_user, fields):
    """DRF's table holds service tokens only; a person's there never expired and opens nothing now."""
    user = make_user(KABAG_OPS, **fields)
    with pytest.raises(exceptions.AuthenticationFailed):
        _authenticate(Token.objects.create(user=user).key)


def test_unknown_person_token_is_refused_with_drfs_message(db):
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        _authenticate(PersonToken.new_key())
    assert str(refused.value.detail) == gettext("Invalid token.")


def test_unknown_token_is_refused_with_drfs_message(db):
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        _authenticate("0" * 40)
    assert str(refused.value.detail) == gettext("Invalid token.")


@pytest.mark.parametrize("kind", KINDS)
def test_inactive_user_is_refused_with_drfs_message(make_user, kind):
    user = make_user(KABAG_OPS)
    key = _key(kind, user)
    user.is_active = False
    user.save()
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        _authenticate(key)
    assert str(refused.value.detail) == gettext("User inactive or deleted.")


@pytest.mark.parametrize("kind", KINDS)
def test_one_query_per_authentication(make_user, kind):
    key = _key(kind, make_user(POLSEK))
    with CaptureQueriesContext(connection) as queries:
        _authenticate(key)
    assert len(queries) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_api_answers_401_for_a_wrong_token_and_200_for_a_right_one(api_client, make_user, kind):
    key = _key(kind, make_user(PIMPINAN))
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
    assert api_client.get("/api/v1/kecamatan/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/kecamatan/").status_code == 200
