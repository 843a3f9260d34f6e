"""Service-account API tokens: the api_token command, the service behind it, and the token admin."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from operations.models import PersonToken
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
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
    lines = [line.split("\t") for line in _command("list").splitlines()]
    assert [line[:4] for line in lines] == [
        ["bot.a", "layanan", PIMPINAN, f"{key[:8]}…"],
        ["bot.b", "layanan", KABAG_OPS, lines[1][3]],
    ]
    assert [line[5] for line in lines] == ["-", "-"]  # service tokens do not expire
    assert key not in _command("list")


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


def test_superuser_too_issues_service_tokens_only(client, superuser):
    service = token_create(username="bot.a")
    person = UserFactory(username="orang")
    admin = _admin_client(client, superuser)
    response = admin.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert service.key in response.content.decode()
    form = admin.get(reverse("admin:authtoken_tokenproxy_add"))
    choices = {str(user) for user in form.context["adminform"].form.fields["user"].queryset}
    assert choices == {"bot.a"}
    admin.post(reverse("admin:authtoken_tokenproxy_add"), {"user": person.pk})
    assert not Token.objects.filter(user=person).exists()


@pytest.mark.parametrize("role", [PIMPINAN, "Polsek"])
def test_other_roles_cannot_reach_the_token_admin(client, make_user, role):
    user = make_user(role, is_staff=True)
    response = _admin_client(client, user).get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 403


# --- person tokens: a person's password exchanged at /api/v1/auth/token/ ---------------------------

NEW_PASSWORD = "Sandi-Baru-98765"


def _obtain(api_client, username: str, password: str = TEST_PASSWORD, **extra):
    return api_client.post(
        reverse("api-token"), {"username": username, "password": password}, format="json", **extra
    )


def _person_key(api_client, user) -> str:
    response = _obtain(api_client, user.username)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _later(monkeypatch, delta: datetime.timedelta) -> None:
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)


@pytest.fixture
def person(make_user):
    return make_user(POLSEK)


def test_person_token_answers_with_its_expiry_after_the_session_age(api_client, person):
    before = timezone.now()
    response = _obtain(api_client, person.username)
    assert response.status_code == 200
    expires = parse_datetime(response.json()["expires"])
    lifetime = datetime.timedelta(hours=8)
    assert before + lifetime <= expires <= timezone.now() + lifetime
    assert _call_api(api_client, response.json()["token"]).status_code == 200


def test_person_token_lifetime_is_a_setting(api_client, person, settings):
    settings.PERSON_TOKEN_LIFETIME = datetime.timedelta(hours=2)
    expires = parse_datetime(_obtain(api_client, person.username).json()["expires"])
    assert expires - timezone.now() <= datetime.timedelta(hours=2)
    assert expires - timezone.now() > datetime.timedelta(hours=1, minutes=59)


def test_person_token_expires(api_client, person, monkeypatch):
    key = _person_key(api_client, person)
    _later(monkeypatch, datetime.timedelta(hours=7, minutes=59))
    assert _call_api(api_client, key).status_code == 200
    _later(monkeypatch, datetime.timedelta(minutes=2))
    response = _call_api(api_client, key)
    assert response.status_code == 401
    assert "kedaluwarsa" in response.json()["detail"]


def test_person_token_dies_when_the_password_changes(api_client, person):
    key = _person_key(api_client, person)
    person.set_password(NEW_PASSWORD)
    person.save()
    response = _call_api(api_client, key)
    assert response.status_code == 401
    assert "sandi" in response.json()["detail"]


def test_person_token_dies_when_the_account_is_deactivated(api_client, person):
    key = _person_key(api_client, person)
    person.is_active = False
    person.save()
    assert _call_api(api_client, key).status_code == 401


def test_holder_revokes_his_own_token_and_only_that_one(api_client, person):
    phone, laptop = _person_key(api_client, person), _person_key(api_client, person)
    assert phone != laptop
    revoked = api_client.post(reverse("api-token-revoke"), HTTP_AUTHORIZATION=f"Token {phone}")
    assert revoked.status_code == 204
    assert _call_api(api_client, phone).status_code == 401
    assert _call_api(api_client, laptop).status_code == 200


def test_revoke_needs_a_person_token(api_client, make_user):
    assert api_client.post(reverse("api-token-revoke")).status_code == 401
    service = token_create(username="bot.a")
    refused = api_client.post(reverse("api-token-revoke"), HTTP_AUTHORIZATION=f"Token {service.key}")
    assert refused.status_code == 403
    assert "api_token" in refused.json()["detail"]
    assert _call_api(api_client, service.key).status_code == 200


def test_superuser_gets_no_api_token(api_client, superuser):
    superuser.set_password(TEST_PASSWORD)
    superuser.save()
    response = _obtain(api_client, superuser.username)
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]
    assert "token" not in response.json()
    assert not Token.objects.exists()
    assert not any(line.startswith(f"{superuser.username}\t") for line in _command("list").splitlines())


def test_old_person_token_from_the_service_table_is_refused(api_client, person):
    """Tokens the endpoint used to hand out (DRF's table, no expiry) no longer open the API."""
    key = Token.objects.create(user=person).key
    response = _call_api(api_client, key)
    assert response.status_code == 401


def test_person_tokens_are_listed_without_their_keys(api_client, person):
    key = _person_key(api_client, person)
    service = token_create(username="bot.a")
    lines = _command("list").splitlines()
    mine = [line for line in lines if line.startswith(f"{person.username}\t")]
    assert len(mine) == 1
    assert POLSEK in mine[0] and "orang" in mine[0]
    assert key not in "\n".join(lines) and service.key not in "\n".join(lines)
    assert any(line.startswith("bot.a\t") and "layanan" in line for line in lines)


def test_expired_person_tokens_are_not_listed(api_client, person, monkeypatch):
    _person_key(api_client, person)
    _later(monkeypatch, datetime.timedelta(hours=9))
    assert person.username not in _command("list")


def test_revoke_command_ends_a_persons_tokens(api_client, person):
    key = _person_key(api_client, person)
    _command("revoke", person.username)
    assert _call_api(api_client, key).status_code == 401


def test_kabag_ops_sees_and_revokes_person_tokens_in_the_admin(client, api_client, make_user, person):
    key = _person_key(api_client, person)
    admin = _admin_client(client, make_user(KABAG_OPS))
    changelist = admin.get(reverse("admin:operations_persontoken_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert person.username in page
    assert key not in page
    token_id = changelist.context["cl"].result_list[0].pk
    delete_url = reverse("admin:operations_persontoken_delete", args=[token_id])
    assert admin.post(delete_url, {"post": "yes"}).status_code == 302
    assert _call_api(api_client, key).status_code == 401


# --- the token endpoint: throttled, and part of the login lockout ----------------------------------


@pytest.fixture
def tight_token_rate(monkeypatch):
    cache.clear()
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "auth-token": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def test_token_endpoint_is_throttled_per_address(api_client, person, tight_token_rate):
    codes = [
        _obtain(api_client, person.username, "salah", REMOTE_ADDR="10.1.1.1").status_code for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    throttled = _obtain(api_client, person.username, REMOTE_ADDR="10.1.1.1")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "detail" in throttled.json()
    assert _obtain(api_client, person.username, REMOTE_ADDR="10.1.1.2").status_code == 200


def test_failed_token_attempts_lock_the_web_login_too(client, api_client, person):
    for _ in range(5):
        assert _obtain(api_client, person.username, "salah").status_code in (400, 429)
    login = client.post(reverse("login"), {"username": person.username, "password": TEST_PASSWORD})
    assert login.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_account_gets_429_with_retry_after_in_the_error_shape(api_client, person):
    codes = [_obtain(api_client, person.username, "salah").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    locked = _obtain(api_client, person.username)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 30 * 60
    body = locked.json()
    assert set(body) == {"detail"}
    assert "30 menit" in body["detail"]
    assert not PersonToken.objects.exists()
