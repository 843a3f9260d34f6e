"""The API answers DRF's and Django's own messages in Indonesian by default, in English on request.

DRF's Indonesian catalogue covers a third of its messages, and Django's get_object_or_404 writes its
404 in English whatever the language: locale/id fills in the rest, the error handler the 404.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from operations.roles import PIMPINAN, POLSEK

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = ("Invalid", "Ensure", "matches the given query", "required", "Not found")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 0)).save(out, format="JPEG")
    return out.getvalue()


def _answer(response, status: int, language: str | None) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    if language is None:
        for word in ENGLISH_WORDS:
            assert word not in str(body), body
    return body


def _headers(language: str | None) -> dict:
    return {"HTTP_ACCEPT_LANGUAGE": language} if language else {}


@pytest.mark.parametrize(("language", "detail"), [(None, "Halaman tidak valid."), ("en", "Invalid page.")])
def test_page_beyond_the_list(api_client, make_user, language, detail):
    api_client.force_authenticate(make_user(PIMPINAN))
    response = api_client.get("/api/v1/kecamatan/?page=99", **_headers(language))
    assert _answer(response, 404, language) == {"detail": detail}


@pytest.mark.parametrize(("language", "detail"), [(None, "Token tidak sah."), ("en", "Invalid token.")])
def test_unknown_token(api_client, db, language, detail):
    api_client.credentials(HTTP_AUTHORIZATION="Token wrong")
    response = api_client.get("/api/v1/kecamatan/", **_headers(language))
    assert _answer(response, 401, language) == {"detail": detail}


@pytest.mark.parametrize(("language", "detail"), [(None, "Tidak ditemukan."), ("en", "Not found.")])
def test_missing_operation_is_a_404_in_the_language_not_djangos_english_sentence(
    api_client, make_user, language, detail
):
    api_client.force_authenticate(make_user(PIMPINAN))
    response = api_client.get("/api/v1/operations/999999/", **_headers(language))
    assert _answer(response, 404, language) == {"detail": detail}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            None,
            {
                "detail": "Data tidak valid.",
                "photos": ["Isi paling banyak 5 item."],
                "severity": ["Isi dengan bilangan bulat."],
                "description": ["Wajib diisi."],
            },
        ),
        (
            "en",
            {
                "detail": "Invalid data.",
                "photos": ["Ensure this field has no more than 5 elements."],
                "severity": ["A valid integer is required."],
                "description": ["This field is required."],
            },
        ),
    ],
)
def test_incident_with_six_photos_and_a_bad_severity(
    api_client, make_user, settings, tmp_path, language, expected
):
    settings.MEDIA_ROOT = tmp_path
    api_client.force_authenticate(make_user(POLSEK))
    photos = [SimpleUploadedFile(f"{n}.jpg", _jpeg(), "image/jpeg") for n in range(6)]
    response = api_client.post(
        "/api/v1/hari-h/incidents/",
        {"severity": "abc", "photos": photos},
        format="multipart",
        **_headers(language),
    )
    body = _answer(response, 400, language)
    assert body["detail"] == expected["detail"]
    for field in ("photos", "severity", "description"):
        assert body["errors"][field] == expected[field]
