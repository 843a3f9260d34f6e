import uuid

import pytest
from django.urls import reverse

from operations.models import RiskReport, VillageStanding
from operations.services.reports import report_create, report_submit, report_verify
from tests.operations.risk_setup import answers, build_world, form_answers

pytestmark = pytest.mark.django_db

Status = RiskReport.Status


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _login(client, user):
    client.force_login(user)
    return client


def _post_data(world, village=None, action="draft", **extra):
    data = {
        "village_election": (village or world.own[0]).pk,
        "narrative": "Situasi memanas.",
        "idempotency_key": str(uuid.uuid4()),
        **form_answers(),
        "value_former_head_strong_rival": "yes",
        "value_travel_minutes": "30",
        "action": action,
    }
    data.update(extra)
    return data


def _submitted(world, village=None):
    report = report_create(
        village_election=village or world.own[0], author=world.polsek, answers=answers(split_camps=True)
    )
    return report_submit(report=report, by=world.polsek)


def test_report_form_offers_only_villages_of_the_jurisdiction(client, world):
    response = _login(client, world.polsek).get(reverse("report-create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.own[0].desa.name in html
    assert world.foreign.desa.name not in html
    assert "Simpan draf" in html and "Ajukan" in html


def test_other_polsek_village_by_url_is_404(client, world):
    response = _login(client, world.polsek).get(reverse("report-create") + f"?desa={world.foreign.pk}")
    assert response.status_code == 404
    response = client.get(reverse("report-create") + "?desa=abc")
    assert response.status_code == 404


def test_posting_another_polsek_village_is_a_field_error(client, world):
    response = _login(client, world.polsek).post(
        reverse("report-create"), _post_data(world, village=world.foreign)
    )
    assert response.status_code == 200
    assert "village_election" in response.context["form"].errors
    assert not RiskReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("value_travel_minutes", "-5"), ("value_travel_minutes", "abc"), ("evidence_many_voters", "x" * 501)],
)
def test_invalid_input_rerenders_with_field_errors(client, world, field, value):
    response = _login(client, world.polsek).post(
        reverse("report-create"), _post_data(world, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not RiskReport.objects.exists()


def test_attachment_of_wrong_type_is_a_field_error(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _post_data(world, attachment=SimpleUploadedFile("x.exe", b"MZ"), attachment_for="split_camps")
    response = _login(client, world.polsek).post(reverse("report-create"), data)
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors


def test_save_draft_then_submit(client, world):
    _login(client, world.polsek)
    response = client.post(reverse("report-create"), _post_data(world))
    assert response.status_code == 302
    report = RiskReport.objects.get()
    assert report.status == Status.DRAFT
    flags = dict(report.answers.values_list("indicator__code", "flag"))
    assert flags["former_head_strong_rival"] is True and flags["split_camps"] is False
    assert report.answers.get(indicator__code="travel_minutes").number == 30

    response = client.post(reverse("report-edit", args=[report.pk]), _post_data(world, action="submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_double_post_with_the_same_key_makes_one_report(client, world):
    _login(client, world.polsek)
    data = _post_data(world, action="submit")
    client.post(reverse("report-create"), data)
    client.post(reverse("report-create"), data)
    assert RiskReport.objects.count() == 1


def test_polsek_cannot_edit_anothers_report(client, world):
    report = report_create(village_election=world.foreign, author=world.other_polsek)
    response = _login(client, world.polsek).get(reverse("report-edit", args=[report.pk]))
    assert response.status_code == 404


def test_own_list_shows_status_and_return_reason(client, world):
    from operations.services.reports import report_return

    report = _submitted(world)
    report_return(report=report, by=world.kabag, reason="Foto baliho belum ada.")
    response = _login(client, world.polsek).get(reverse("report-list"))
    assert response.status_code == 200
    assert "Foto baliho belum ada." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "url_name", "status"),
    [
        ("polsek", "report-review", 403),
        ("pimpinan", "report-review", 403),
        ("kabag", "report-review", 200),
        ("kabag", "report-list", 403),
        ("pimpinan", "report-create", 403),
        ("polsek", "ranking-latest", 403),
        ("pimpinan", "ranking-latest", 302),
    ],
)
def test_pages_per_role(client, world, who, url_name, status):
    response = _login(client, getattr(world, who)).get(reverse(url_name))
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("report-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_kabag_verifies_from_the_queue(client, world):
    report = _submitted(world)
    _login(client, world.kabag)
    assert world.own[0].desa.name in client.get(reverse("report-review")).content.decode()
    response = client.post(reverse("report-verify", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.VERIFIED


def test_return_without_reason_rerenders_with_error(client, world):
    report = _submitted(world)
    _login(client, world.kabag)
    response = client.post(reverse("report-return", args=[report.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["failed"][1].errors
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED

    client.post(reverse("report-return", args=[report.pk]), {"reason": "Kurang bukti."})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (Status.RETURNED, "Kurang bukti.")


def test_verify_twice_is_a_message_not_an_error(client, world):
    report = _submitted(world)
    _login(client, world.kabag)
    client.post(reverse("report-verify", args=[report.pk]))
    response = client.post(reverse("report-verify", args=[report.pk]), follow=True)
    assert response.status_code == 200
    assert "Diajukan" in response.content.decode()


def test_polsek_cannot_verify(client, world):
    report = _submitted(world)
    response = _login(client, world.polsek).post(reverse("report-verify", args=[report.pk]))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_ranking_page_shows_counts_and_filters(client, world):
    report = _submitted(world)
    report_verify(report=report, by=world.kabag)
    _login(client, world.pimpinan)
    url = reverse("ranking", args=[world.operation.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["counts"].total == 3
    assert len(response.context["page"]) == 3
    response = client.get(url, {"level": "1"})
    assert [r.village_election_id for r in response.context["page"]] == [world.own[0].pk]
    response = client.get(url, {"kecamatan": world.foreign.desa.kecamatan_id})
    assert [r.village_election_id for r in response.context["page"]] == [world.foreign.pk]


@pytest.mark.parametrize("query", [{"level": "9"}, {"kecamatan": "abc"}, {"page": "zz"}])
def test_ranking_page_bad_filters_never_500(client, world, query):
    response = _login(client, world.pimpinan).get(reverse("ranking", args=[world.operation.pk]), query)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 40])
def test_ranking_page_query_count_does_not_grow(client, make_user, size, django_assert_max_num_queries):
    world = build_world(make_user, own_villages=size)
    _login(client, world.kabag)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("ranking", args=[world.operation.pk]))
    assert len(response.context["page"]) == size + 1


def test_village_detail_shows_breakdown_to_hq_only(client, world):
    report = _submitted(world)
    report_verify(report=report, by=world.kabag)
    url = reverse("village-detail", args=[world.own[0].pk])
    response = _login(client, world.pimpinan).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kubu berimbang" in html and "15,00" in html  # Indonesian decimal comma
    assert "Tetapkan tingkat" not in html  # override is Kabag Ops' alone
    client.logout()
    assert _login(client, world.polsek).get(url).status_code == 403


def test_override_form_requires_reason_then_applies(client, world):
    _login(client, world.kabag)
    url = reverse("village-override", args=[world.own[0].pk])
    response = client.post(url, {"level": "3", "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["override_form"].errors

    response = client.post(url, {"level": "3", "reason": "Info intel: pengerahan massa."})
    assert response.status_code == 302
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert (standing.level, standing.is_overridden) == (3, True)

    client.post(url, {"clear": "1"})
    standing.refresh_from_db()
    assert standing.is_overridden is False


def test_pimpinan_cannot_override(client, world):
    response = _login(client, world.pimpinan).post(
        reverse("village-override", args=[world.own[0].pk]), {"level": "3", "reason": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("size", [1, 15])
def test_review_queue_and_own_list_query_counts_are_flat(client, world, size, django_assert_max_num_queries):
    report_verify(report=_submitted(world), by=world.kabag)  # a village with a current level
    for i in range(size):
        _submitted(world, world.own[i % 2])
    _login(client, world.kabag)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("report-review"))
    assert len(response.context["reports"]) == size
    assert all(report.preview.score is not None for report in response.context["reports"])
    client.logout()
    _login(client, world.polsek)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("report-list"))
    assert len(response.context["reports"]) == size + 1  # and the verified one


def _queue_preview(client, report):
    response = client.get(reverse("report-review"))
    assert response.status_code == 200
    (row,) = [r for r in response.context["reports"] if r.pk == report.pk]
    return row.preview, response.content.decode()


def test_review_queue_shows_score_level_and_change_before_verification(client, world):
    from decimal import Decimal as D

    from operations.models import LevelThreshold, RiskIndicator

    for level, minimum in ((1, D("0")), (2, D("30")), (3, D("60"))):
        LevelThreshold.objects.update_or_create(level=level, defaults={"min_score": minimum})
    RiskIndicator.objects.filter(code="former_head_strong_rival").update(weight=D("70"))
    village = world.own[0]
    calm = report_create(village_election=village, author=world.polsek, answers=answers())
    calm = report_submit(report=calm, by=world.polsek)
    _login(client, world.kabag)

    preview, html = _queue_preview(client, calm)
    # Nothing but the village's DPT of 2 500, answered as recorded: 5 × 2 500/5 000.
    assert (preview.score, preview.level, preview.current_level) == (D("2.50"), 1, None)
    assert "Belum dinilai → Aman" in html

    report_verify(report=calm, by=world.kabag)
    tense = report_submit(
        report=report_create(
            village_election=village, author=world.polsek, answers=answers(former_head_strong_rival=True)
        ),
        by=world.polsek,
    )
    preview, html = _queue_preview(client, tense)
    assert (preview.current_level, preview.level, preview.next_level) == (1, 3, 3)
    assert "Aman → Sangat Rawan" in html and "72,50" in html

    verified = report_verify(report=tense, by=world.kabag)
    assert (verified.score, verified.computed_level) == (preview.score, preview.level)


def test_review_queue_preview_under_an_override_says_the_level_stays(client, world):
    from operations.services.reports import risk_override

    village = world.own[0]
    risk_override(village_election=village, level=3, reason="Info intel.", by=world.kabag)
    report = _submitted(world, village)
    preview, html = _queue_preview(_login(client, world.kabag), report)
    assert (preview.current_level, preview.next_level, preview.overridden) == (3, 3, True)
    assert "tetap Sangat Rawan" in html
