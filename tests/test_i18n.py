"""Bahasa Indonesia by default with Indonesian dates and numbers; English through the language switch."""

import datetime
from gettext import GNUTranslations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from operations.services.standings import standings_refresh
from tests.operations.risk_setup import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    election = world.operation.election
    election.voting_day = datetime.date(2019, 10, 20)
    election.save()
    world.own[0].registered_voters = 5000
    world.own[0].save()
    standings_refresh(operation=world.operation)
    return world


def _switch(client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


def test_indonesian_is_the_default_with_indonesian_dates_and_numbers(client, world):
    client.force_login(world.pimpinan)
    html = client.get(reverse("dashboard", args=[world.operation.pk])).content.decode()
    assert '<html lang="id">' in html
    assert "20 Oktober 2019" in html
    assert ">5.000<" in html
    assert "Desa per tingkat kerawanan" in html and "Keluar" in html


@pytest.mark.parametrize(
    ("role", "url_name", "english", "indonesian"),
    [
        (
            "pimpinan",
            "dashboard",
            ["Dashboard", "Villages per risk level", "Risk ranking", "Log out"],
            "Dasbor",
        ),
        ("kabag", "report-review", ["Report verification queue", "Verify reports"], "Antrian verifikasi"),
        (
            "polsek",
            "report-create",
            ["New risk report", "Save draft", "Submit", "Situation report"],
            "Simpan draf",
        ),
        ("polsek", "report-list", ["My risk reports", "New report"], "Laporan kerawanan saya"),
    ],
)
def test_language_switch_renders_english(client, world, role, url_name, english, indonesian):
    client.force_login(getattr(world, role))
    url = reverse(url_name, args=[world.operation.pk]) if url_name == "dashboard" else reverse(url_name)
    _switch(client, "en")

    html = client.get(url).content.decode()

    assert '<html lang="en">' in html
    for text in english:
        assert text in html
    assert indonesian not in html


def test_english_dates_and_numbers_follow_the_language(client, world):
    client.force_login(world.pimpinan)
    _switch(client, "en")
    html = client.get(reverse("dashboard", args=[world.operation.pk])).content.decode()
    assert "Oct. 20, 2019" in html
    assert ">5,000<" in html


# Deliberately DRF's own English messages (see test_inactive_user_is_refused_with_drfs_message), so
# their Indonesian comes from the catalogue of DRF's messages (locale/id).
SHARED_WITH_DRF = {"User inactive or deleted.", "Invalid token."}


def test_no_msgid_of_ours_is_translated_into_indonesian_by_another_apps_catalogue():
    """Our msgids are Indonesian, so in Indonesian each reads as itself. Django merges every app's
    catalogue: a short msgid another app also uses ("No" is Django's "Tidak") reads as their word."""
    with open(settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.mo", "rb") as mo:
        keys = [key for key in GNUTranslations(mo)._catalog if isinstance(key, str) and key]
    assert len(keys) > 100
    foreign = {}
    with translation.override("id"):
        for key in keys:
            context, _, msgid = key.rpartition("\x04")
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if shown != msgid and msgid not in SHARED_WITH_DRF:
                foreign[key] = shown
    assert foreign == {}


def test_language_switch_names_each_language_in_itself(client, world):
    client.force_login(world.pimpinan)
    html = client.get(reverse("dashboard", args=[world.operation.pk])).content.decode()
    assert ">Bahasa Indonesia</option>" in html
    assert ">English</option>" in html
