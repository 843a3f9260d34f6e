"""The report form's known facts and its one evidence attachment (issue 18, item 4).

DPT, the registered candidates and the committee come from the village election: left empty they
are answered from it; a correction that disagrees needs a note, and the error names the registered
figure. Evidence is one file for the report, filed under the indicator it supports."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import RiskReport
from operations.services.reports import report_create
from tests.factories import CandidateFactory
from tests.operations.risk_setup import answers, build_world, form_answers, indicator
from villages.models import Candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    village = world.own[0]
    village.registered_voters = 4730
    village.committee_formed_on = datetime.date(2019, 8, 12)
    village.save()
    for _ in range(3):
        CandidateFactory(village_election=village)
    CandidateFactory(village_election=village, status=Candidate.Status.REJECTED)
    return world


def _post(client, world, action="draft", **fields):
    client.force_login(world.polsek)
    data = {
        "village_election": world.own[0].pk,
        "narrative": "",
        "idempotency_key": str(uuid.uuid4()),
        **form_answers(value_candidate_count=""),
        "action": action,
        **fields,
    }
    return client.post(reverse("report-create"), data)


def _as_recorded(**values):
    """A complete answer set agreeing with the village's record (3 candidates, 4 730 voters)."""
    return answers(candidate_count=3, many_voters=4730, **values)


def _answer(world, code):
    return RiskReport.objects.get(village_election=world.own[0]).answers.get(indicator__code=code)


def test_the_form_shows_the_facts_of_the_chosen_village(client, world):
    client.force_login(world.polsek)
    html = client.get(reverse("report-create") + f"?desa={world.own[0].pk}").content.decode()
    assert "3 calon terdaftar" in html  # the rejected candidate is not counted
    assert "4.730 pemilih" in html
    assert "Panitia dibentuk 12 Agustus 2019" in html


def test_facts_left_empty_are_answered_from_the_village_election(client, world):
    response = _post(client, world, action="submit")
    assert response.status_code == 302, response.context["form"].errors
    assert _answer(world, "candidate_count").number == 3
    assert _answer(world, "many_voters").number == 4730
    assert _answer(world, "committee_not_formed").flag is False


def test_a_candidate_count_that_disagrees_without_a_note_names_the_registered_count(client, world):
    response = _post(client, world, value_candidate_count="4")
    assert response.status_code == 200
    errors = response.context["form"].errors["value_candidate_count"]
    assert any("3 calon terdaftar" in e for e in errors), errors
    assert not RiskReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("value_many_voters", "5000"), ("value_committee_not_formed", "yes")]
)
def test_every_fact_correction_without_a_note_is_a_field_error(client, world, field, value):
    response = _post(client, world, **{field: value})
    assert field in response.context["form"].errors


def test_a_correction_with_a_note_is_kept_with_its_note(client, world):
    response = _post(
        client, world, value_candidate_count="4", evidence_candidate_count="Calon keempat mendaftar kemarin."
    )
    assert response.status_code == 302
    answer = _answer(world, "candidate_count")
    assert (answer.number, answer.evidence) == (4, "Calon keempat mendaftar kemarin.")


def test_a_correction_equal_to_the_fact_needs_no_note(client, world):
    assert _post(client, world, value_candidate_count="3").status_code == 302


def test_without_registered_candidates_the_count_is_asked(client, make_user):
    world = build_world(make_user)  # no candidate recorded: the desk does not know the count
    response = _post(client, world, action="submit")
    assert "value_candidate_count" in response.context["form"].errors
    assert _post(client, world, value_candidate_count="2").status_code == 302


def test_the_form_has_one_file_field_for_the_whole_report(client, world):
    client.force_login(world.polsek)
    form = client.get(reverse("report-create")).context["form"]
    assert [name for name, f in form.fields.items() if getattr(f.widget, "input_type", "") == "file"] == [
        "attachment"
    ]


def test_the_attachment_is_filed_under_the_indicator_it_supports(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("baliho.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = _post(client, world, attachment=photo, attachment_for="split_camps")
    assert response.status_code == 302
    assert _answer(world, "split_camps").attachment.name.endswith("baliho.png")


def test_an_attachment_without_its_indicator_is_a_field_error(client, world):
    photo = SimpleUploadedFile("baliho.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = _post(client, world, attachment=photo)
    assert "attachment_for" in response.context["form"].errors


def test_editing_keeps_the_notes_the_form_does_not_show(client, world):
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=_as_recorded(split_camps=True)
    )
    answer = report.answers.get(indicator=indicator("split_camps"))
    answer.evidence = "Dua kubu bentrok pada 2013."
    answer.save()
    client.force_login(world.polsek)
    data = {
        "narrative": "",
        **form_answers(value_split_camps="yes", value_candidate_count=""),
        "action": "draft",
    }
    response = client.post(reverse("report-edit", args=[report.pk]), data)
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.evidence == "Dua kubu bentrok pada 2013."


def test_the_edit_page_lists_the_evidence_already_sent(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=_as_recorded(split_camps=True)
    )
    answer = report.answers.get(indicator=indicator("split_camps"))
    answer.attachment = SimpleUploadedFile("baliho.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    answer.save()
    client.force_login(world.polsek)
    html = client.get(reverse("report-edit", args=[report.pk])).content.decode()
    assert reverse("evidence", args=[answer.pk]) in html
    assert "Lampiran tersimpan" in html


def test_a_service_refusal_keyed_by_an_indicator_lands_under_its_field(rf, world):
    """The services key a fact's refusal by the indicator's code; the page puts it where the form
    would have (the record may change between the form's read and the service's)."""
    from django.core.exceptions import ValidationError

    from operations.forms.reports import RiskReportForm
    from operations.pages.reports import _apply_service_errors
    from operations.selectors.reports import indicators_active

    form = RiskReportForm(
        {"village_election": world.own[0].pk},
        village_elections=type(world.own[0]).objects.all(),
        indicators=list(indicators_active()),
    )
    assert form.is_valid(), form.errors
    _apply_service_errors(form, ValidationError({"candidate_count": "Data pilkades desa ini: 4 calon."}))
    assert form.errors["value_candidate_count"] == ["Data pilkades desa ini: 4 calon."]
    assert not form.non_field_errors()
