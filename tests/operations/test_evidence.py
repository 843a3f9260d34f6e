"""Evidence attachments are served by an authenticated view with the report's permissions
(issue 11, item 16): /media/ is never served, in production or in development."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from operations.api.evidence import evidence_content_type, safe_filename
from operations.services.reports import AnswerData, report_create, report_submit
from tests.operations.risk_setup import answers, build_world, indicator

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _report_with(world, name: str, content: bytes):
    values = [a for a in answers() if a.indicator_id != indicator("split_camps").pk]
    values.append(
        AnswerData(
            indicator_id=indicator("split_camps").pk,
            flag=True,
            attachment=SimpleUploadedFile(name, content),
        )
    )
    report = report_create(village_election=world.own[0], author=world.polsek, answers=values)
    report = report_submit(report=report, by=world.polsek)
    return report, report.answers.get(indicator__code="split_camps")


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_the_api_links_evidence_to_a_url_that_serves_it(world):
    report, answer = _report_with(world, "baliho.png", PNG)
    body = _client(world.kabag).get(f"/api/v1/risk-reports/{report.pk}/").json()
    [link] = [a["attachment"] for a in body["answers"] if a["attachment"]]
    assert "/media/" not in link

    response = _client(world.kabag).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_the_review_queue_and_the_village_page_link_to_the_evidence_view(world, client):
    _report, answer = _report_with(world, "baliho.png", PNG)
    client.force_login(world.kabag)
    html = client.get(reverse("report-review")).content.decode()
    assert reverse("evidence", args=[answer.pk]) in html
    assert "/media/" not in html


def test_media_urls_are_not_served(world, client):
    _report, answer = _report_with(world, "baliho.png", PNG)
    client.force_login(world.kabag)
    assert client.get("/media/" + answer.attachment.name).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("polsek", 200), ("kabag", 200), ("pimpinan", 200), ("other_polsek", 404), ("anonymous", 401)],
)
def test_evidence_follows_the_reports_permissions(world, who, status):
    _report, answer = _report_with(world, "baliho.png", PNG)
    user = None if who == "anonymous" else getattr(world, who)
    response = _client(user).get(reverse("evidence", args=[answer.pk]))
    assert response.status_code == status


def test_a_user_without_a_role_is_refused(world, make_user):
    _report, answer = _report_with(world, "baliho.png", PNG)
    response = _client(make_user(None)).get(reverse("evidence", args=[answer.pk]))
    assert response.status_code in (403, 404)


def test_an_allowed_image_is_served_inline_with_safe_headers(world):
    _report, answer = _report_with(world, "baliho.png", PNG)
    response = _client(world.kabag).get(reverse("evidence", args=[answer.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert 'filename="baliho.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.png", b"<html><script>alert(1)</script></html>"),  # not what its name claims
        ("foto.heic", b"\x00\x00\x00\x18ftypheic"),  # allowed upload, not a type browsers show
    ],
)
def test_anything_else_is_an_octet_stream_download(world, name, content):
    _report, answer = _report_with(world, name, content)
    response = _client(world.kabag).get(reverse("evidence", args=[answer.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_answer_without_a_file_is_404(world):
    report = report_create(village_election=world.own[0], author=world.polsek, answers=answers())
    answer = report.answers.first()
    assert _client(world.kabag).get(reverse("evidence", args=[answer.pk])).status_code == 404


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (PNG, "a.png", "image/png"),
        (b"\xff\xd8\xff\xe0rest", "a.JPG", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "image/webp"),
        (b"%PDF-1.7\n", "a.pdf", "application/pdf"),
        (PNG, "a.pdf", None),
        (b"<svg/>", "a.svg", None),
        (b"%PDF-1.7", "a.html", None),
    ],
)
def test_evidence_content_type(head, name, expected):
    assert evidence_content_type(name, head) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("evidence/1/abc/baliho.png", "baliho.png"),
        ('x/"a\r\nb".png', "_a__b_.png"),
        ("x/foto kampanye (1).jpg", "foto_kampanye__1_.jpg"),
        ("", "lampiran"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected
