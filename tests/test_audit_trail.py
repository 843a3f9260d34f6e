"""Every write path leaves an audit entry naming who changed what, and deletions keep their history."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from operations.models import Assignment, Duty, Officer, RiskReport
from operations.ranks import Pangkat
from operations.services.proposals import proposal_apply, proposal_create
from tests.operations.deployment_setup import build_world, officers
from tests.operations.risk_setup import api_answers_for
from villages.models import Desa

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    users = get_user_model().objects
    return {name: users.get(username=name) for name in ("kabagops", "polsek.carenang", "kapolres")}


def _history_users(queryset) -> list[tuple[str, str | None]]:
    return [(h.history_type, h.history_user.username if h.history_user else None) for h in queryset]


def test_report_lifecycle_through_the_api_records_each_actor(api_client, demo):
    from villages.models import VillageElection

    village = VillageElection.objects.get(desa__name="Mekarsari")
    api_client.force_authenticate(demo["polsek.carenang"])
    created = api_client.post(
        reverse("risk-report-list"),
        {"village_election": village.pk, "narrative": "Kubu memanas", "answers": api_answers_for(village)},
        format="json",
    )
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    assert api_client.post(reverse("risk-report-submit", args=[report_id])).status_code == 200
    api_client.force_authenticate(demo["kabagops"])
    assert api_client.post(reverse("risk-report-verify", args=[report_id])).status_code == 200

    history = RiskReport.history.filter(id=report_id).order_by("history_date", "history_id")
    statuses = [h.status for h in history]
    assert statuses[0] == "draft" and statuses[-1] == "verified"
    actors = {h.status: h.history_user.username for h in history}
    assert actors["submitted"] == "polsek.carenang"
    assert actors["verified"] == "kabagops"


def test_assignment_create_and_delete_through_the_api_keep_history(api_client, demo):
    from operations.models import Operation
    from villages.models import VillageElection

    operation = Operation.objects.get()
    village = VillageElection.objects.get(desa__name="Lamaran")
    officer = (
        Officer.objects.for_village_duty()
        .filter(unit__name="Polres Serang", rank__lt=Pangkat.KOMPOL, home_desa=None)
        .first()
    )
    api_client.force_authenticate(demo["kabagops"])
    created = api_client.post(
        reverse("assignment-list"),
        {
            "operation": operation.pk,
            "officer": officer.pk,
            "duty": Duty.VILLAGE_GUARD,
            "village_election": village.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assignment_id = created.json()["id"]
    assert api_client.delete(reverse("assignment-detail", args=[assignment_id])).status_code == 204

    assert not Assignment.objects.filter(pk=assignment_id).exists()
    history = Assignment.history.filter(id=assignment_id).order_by("history_date")
    assert _history_users(history) == [("+", "kabagops"), ("-", "kabagops")]
    assert history.last().officer_id == officer.pk


def test_applied_proposal_postings_enter_the_audit_trail(make_user):
    world = build_world(make_user)
    officers(world.polres, 4)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    proposal_apply(proposal=proposal, by=world.kabag)
    posted = Assignment.objects.filter(operation=world.operation)
    assert posted.exists()
    history = Assignment.history.filter(id__in=posted.values("id"))
    assert history.count() == posted.count()
    assert {h.history_user_id for h in history} == {world.kabag.pk}
    proposal.refresh_from_db()
    assert proposal.status == "applied"


def test_officer_and_desa_edits_in_the_admin_name_the_editor(client, demo):
    client.force_login(demo["kabagops"])
    officer = Officer.objects.filter(unit__name="Polsek Carenang").first()
    page = client.get(reverse("admin:operations_officer_change", args=[officer.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"position": "Kanit Binmas", "user": "", "home_desa": officer.home_desa_id or ""})
    response = client.post(reverse("admin:operations_officer_change", args=[officer.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = Officer.history.filter(id=officer.pk).latest()
    assert (latest.position, latest.history_user.username, latest.history_type) == (
        "Kanit Binmas",
        "kabagops",
        "~",
    )

    desa = Desa.objects.get(name="Renged")
    response = client.post(
        reverse("admin:villages_desa_change", args=[desa.pk]),
        {
            "code": desa.code,
            "name": desa.name,
            "kecamatan": desa.kecamatan_id,
            "latitude": desa.latitude,
            "longitude": desa.longitude,
            "access_notes": "Jalan rusak saat hujan",
        },
    )
    assert response.status_code == 302
    latest = Desa.history.filter(id=desa.pk).latest()
    assert (latest.access_notes, latest.history_user.username) == ("Jalan rusak saat hujan", "kabagops")


def test_history_pages_are_visible_in_the_admin(client, demo):
    client.force_login(demo["kabagops"])
    report = RiskReport.objects.filter(status="verified").first()
    page = client.get(reverse("admin:operations_riskreport_history", args=[report.pk]))
    assert page.status_code == 200
    assert "kabagops" in page.content.decode() or "polsek.carenang" in page.content.decode()
