"""The one-statement token authentication gives what DRF's would, with the roles already read."""

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
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK

pytestmark = pytest.mark.django_db


def _authenticate(key: str):
    return TokenAuthentication().authenticate_credentials(key)


@pytest.mark.parametrize("role", [KABAG_OPS, PIMPINAN, POLSEK, None])
def test_user_is_the_stored_user_field_by_field(make_user, role):
    user = make_user(role, first_name="Budi", last_login=timezone.now() - datetime.timedelta(days=2))
    key = Token.objects.create(user=user).key

    found, token = _authenticate(key)

    stored = get_user_model().objects.get(pk=user.pk)
    for field in get_user_model()._meta.concrete_fields:
        mine, theirs = getattr(found, field.attname), getattr(stored, field.attname)
        assert mine == theirs and type(mine) is type(theirs), field.name
    assert token.key == key and token.user is found
    assert token.created == Token.objects.get(key=key).created
    assert isinstance(token.created, datetime.datetime)


@pytest.mark.parametrize("role", [KABAG_OPS, PIMPINAN, POLSEK, None])
def test_roles_come_with_the_user_and_answer_like_the_groups(make_user, role):
    user = make_user(role)
    Group.objects.get_or_create(name="Bukan peran")[0].user_set.add(user)
    found, _token = _authenticate(Token.objects.create(user=user).key)

    with CaptureQueriesContext(connection) as queries:
        answers = (
            permissions.is_kabag_ops(found),
            permissions.is_pimpinan(found),
            permissions.is_polsek(found),
        )
    assert len(queries) == 0
    assert answers == (role == KABAG_OPS, role == PIMPINAN, role == POLSEK)


def test_superuser_flag_is_a_boolean_and_counts_as_kabag_ops(superuser):
    found, _token = _authenticate(Token.objects.create(user=superuser).key)
    assert found.is_superuser is True
    assert permissions.is_kabag_ops(found)


def test_unknown_token_is_refused_with_drfs_message(db):
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        _authenticate("0" * 40)
    assert str(refused.value.detail) == gettext("Invalid token.")


def test_inactive_user_is_refused_with_drfs_message(make_user):
    user = make_user(KABAG_OPS, is_active=False)
    with pytest.raises(exceptions.AuthenticationFailed) as refused:
        _authenticate(Token.objects.create(user=user).key)
    assert str(refused.value.detail) == gettext("User inactive or deleted.")


def test_one_query_per_authentication(make_user):
    key = Token.objects.create(user=make_user(POLSEK)).key
    with CaptureQueriesContext(connection) as queries:
        _authenticate(key)
    assert len(queries) == 1


def test_api_answers_401_for_a_wrong_token_and_200_for_a_right_one(api_client, make_user):
    key = Token.objects.create(user=make_user(PIMPINAN)).key
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
    assert api_client.get("/api/v1/kecamatan/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/kecamatan/").status_code == 200
