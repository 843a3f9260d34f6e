"""Service-account API tokens: the api_token command, the service behind it, and the token admin."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from operations.roles import KABAG_OPS, PIMPINAN
from operations.services.tokens import token_create
from tests.conftest import TEST_PASSWORD
from tests.factories import OperationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _command(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def _call_api(api_client, key: str):
    return api_client.get(reverse("operation-list"), HTTP_AUTHORIZATION=f"Token {key}")


def test_created_token_reads_the_api_as_a_read_only_service_account(api_client):
    OperationFactory()
    key = _command("create", "dasbor.polda")
    user = get_user_model().objects.get(username="dasbor.polda")
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [PIMPINAN]
    assert Token.objects.get(user=user).key == key

    response = _call_api(api_client, key)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    # Pimpinan reads only: a write with the same token is refused.
    write = api_client.post(reverse("risk-indicator-list"), {"code": "x"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert write.status_code == 403


def test_kabag_ops_role_token_may_write(api_client):
    key = _command("create", "bot.ops", "--role", KABAG_OPS)
    response = api_client.post(
        reverse("risk-indicator-list"), {}, format="json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 400  # past the permission check, stopped by validation
    assert "code" in response.json()["errors"]


def test_revoked_token_gets_401(api_client):
    key = _command("create", "bot.wa")
    assert _call_api(api_client, key).status_code == 200
    _command("revoke", "bot.wa")
    assert not Token.objects.filter(key=key).exists()
    response = _call_api(api_client, key)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_create_twice_reuses_the_account_and_its_token():
    first = _command("create", "gis.polres")
    second = _command("create", "gis.polres", "--role", KABAG_OPS)
    assert first == second
    users = get_user_model().objects.filter(username="gis.polres")
    assert users.count() == 1
    assert list(users.get().groups.values_list("name", flat=True)) == [KABAG_OPS]


def test_create_after_revoke_issues_a_new_key():
    first = _command("create", "gis.polres")
    _command("revoke", "gis.polres")
    assert _command("create", "gis.polres") != first


@pytest.mark.parametrize("role", ["Polsek", "Admin", "pimpinan", ""])
def test_unknown_role_is_a_clear_command_error(role):
    with pytest.raises(CommandError, match="Peran .* tidak dikenal; pilih salah satu: Pimpinan, Kabag Ops"):
        _command("create", "bot.x", "--role", role)
    assert not get_user_model().objects.filter(username="bot.x").exists()


@pytest.mark.parametrize(
    "fields",
    [{"is_staff": True}, {"is_superuser": True}, {}],
    ids=["staff", "superuser", "person-with-password"],
)
def test_no_token_for_a_person_account(fields):
    user = UserFactory(username="bripka.ahmad", **fields)
    user.set_password(TEST_PASSWORD)
    user.save()
    with pytest.raises(CommandError, match="bukan akun layanan"):
        _command("create", "bripka.ahmad")
    assert not Token.objects.filter(user=user).exists()


def test_bad_username_is_a_field_error():
    with pytest.raises(ValidationError) as caught:
        token_create(username="spasi tidak boleh")
    assert "username" in caught.value.message_dict


def test_revoke_without_token_is_a_command_error():
    with pytest.raises(CommandError, match="tidak punya token"):
        _command("revoke", "tidak.ada")


def test_list_shows_service_accounts_with_shortened_keys():
    key = _command("create", "bot.a")
    _command("create", "bot.b", "--role", KABAG_OPS)
    person = UserFactory(username="orang", is_staff=True)
    Token.objects.create(user=person)
    lines = _command("list").splitlines()
    assert lines == [f"bot.a\t{PIMPINAN}\t{key[:8]}…", lines[1]]
    assert lines[1].startswith(f"bot.b\t{KABAG_OPS}\t")
    assert key not in "\n".join(lines)


# --- the token admin ------------------------------------------------------------------------------


def _admin_client(client, user):
    client.force_login(user)
    return client


def test_kabag_ops_issues_tokens_only_for_service_accounts(client, make_user):
    kabag = make_user(KABAG_OPS)
    service = token_create(username="bot.a")
    bot_b = get_user_model().objects.create_user("bot.b")  # no password: a service account
    person = UserFactory(username="orang")
    person.set_password(TEST_PASSWORD)
    person.save()
    admin = _admin_client(client, kabag)

    changelist = admin.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert changelist.status_code == 200
    assert service.key in changelist.content.decode()

    form = admin.get(reverse("admin:authtoken_tokenproxy_add"))
    choices = {str(user) for user in form.context["adminform"].form.fields["user"].queryset}
    assert choices == {"bot.a", "bot.b"}

    refused = admin.post(reverse("admin:authtoken_tokenproxy_add"), {"user": person.pk})
    assert refused.status_code == 200
    assert "user" in refused.context["adminform"].form.errors
    assert not Token.objects.filter(user=person).exists()

    issued = admin.post(reverse("admin:authtoken_tokenproxy_add"), {"user": bot_b.pk})
    assert issued.status_code == 302
    assert Token.objects.filter(user=bot_b).exists()

    delete_url = reverse("admin:authtoken_tokenproxy_delete", args=[bot_b.pk])
    assert admin.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=bot_b).exists()


def test_superuser_sees_every_token(client, superuser):
    person = UserFactory(username="orang")
    token = Token.objects.create(user=person)
    response = _admin_client(client, superuser).get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert token.key in response.content.decode()


@pytest.mark.parametrize("role", [PIMPINAN, "Polsek"])
def test_other_roles_cannot_reach_the_token_admin(client, make_user, role):
    user = make_user(role, is_staff=True)
    response = _admin_client(client, user).get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 403
