"""Assignment admin: adds and deletes go through the service; rule violations are form errors."""

import pytest
from django.urls import reverse

from operations.models import AllocationProposal, Assignment, Duty, Officer, Stage
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db

ADD = "admin:operations_assignment_add"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def form_data(world, officer, village):
    return {
        "operation": world.operation.pk,
        "stage": Stage.VOTING,
        "duty": Duty.VILLAGE_GUARD,
        "officer": officer.pk,
        "village_election": village.pk,
        "note": "",
    }


def test_admin_add_posts_through_the_service(client, world):
    (officer,) = officers(world.polres, 1)
    client.force_login(world.kabag)

    response = client.post(reverse(ADD), form_data(world, officer, world.own[0]))

    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.assigned_by, assignment.area_polsek) == (world.kabag, world.polsek)
    world.operation.refresh_from_db()
    assert world.operation.assignment_version == 1


@pytest.mark.parametrize(
    ("arrange", "field", "fragment"),
    [
        (lambda w: officers(w.polres, 1, home_desa=w.own[0].desa)[0], "village_election", "Netralitas"),
        (lambda w: officers(w.other_polsek, 1)[0], "village_election", "wilayah hukum"),
        (lambda w: officers(w.polres, 1, is_active=False)[0], "officer", "tidak aktif"),
    ],
    ids=["home-desa", "outside-area", "inactive"],
)
def test_admin_add_shows_rule_violations_on_the_field(client, world, arrange, field, fragment):
    officer = arrange(world)
    client.force_login(world.kabag)

    response = client.post(reverse(ADD), form_data(world, officer, world.own[0]))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert fragment in " ".join(errors[field])
    assert not Assignment.objects.exists()


def test_admin_double_booking_is_a_field_error(client, world):
    (officer,) = officers(world.polres, 1)
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    client.force_login(world.kabag)

    response = client.post(reverse(ADD), form_data(world, officer, world.own[1]))

    assert "sudah mendapat tugas" in " ".join(response.context["adminform"].form.errors["officer"])
    assert Assignment.objects.count() == 1


def test_admin_delete_goes_through_the_service(client, world):
    (officer,) = officers(world.polres, 1)
    assignment = assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    client.force_login(world.kabag)

    client.post(reverse("admin:operations_assignment_delete", args=[assignment.pk]), {"post": "yes"})

    assert not Assignment.objects.exists()
    world.operation.refresh_from_db()
    assert world.operation.assignment_version == 2


@pytest.mark.parametrize(
    "filters",
    [
        {"operation__id__exact": "op"},
        {"duty__exact": Duty.VILLAGE_GUARD},
        {"stage__exact": Stage.VOTING},
        {"officer__unit__id__exact": "polres"},
        {"village_election__id__exact": "village"},
    ],
)
def test_admin_changelist_filters(client, world, filters):
    (officer,) = officers(world.polres, 1)
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    values = {"op": world.operation.pk, "polres": world.polres.pk, "village": world.own[0].pk}
    query = {key: values.get(value, value) for key, value in filters.items()}
    client.force_login(world.kabag)

    response = client.get(reverse("admin:operations_assignment_changelist"), query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_proposal_admin_is_read_only_with_items(client, world):
    officers(world.polres, 2)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    client.force_login(world.kabag)

    page = client.get(reverse("admin:operations_allocationproposal_change", args=[proposal.pk]))
    add = client.get(reverse("admin:operations_allocationproposal_add"))

    assert page.status_code == 200
    assert proposal.items.first().officer.name in page.content.decode()
    assert add.status_code == 403
    assert AllocationProposal.objects.count() == 1


def officer_form(officer, **changes):
    data = {
        "nrp": officer.nrp,
        "name": officer.name,
        "rank": officer.rank,
        "position": officer.position,
        "unit": officer.unit_id,
        "home_desa": officer.home_desa_id or "",
        "phone": officer.phone,
        "is_active": "on" if officer.is_active else "",
        "user": officer.user_id or "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def stored_officer(officer) -> tuple:
    return Officer.objects.filter(pk=officer.pk).values_list("unit_id", "home_desa_id", "is_active").get()


@pytest.mark.parametrize(
    ("make_officer", "change", "field"),
    [
        (lambda w: officers(w.polres, 1)[0], lambda w: {"home_desa": w.own[0].desa_id}, "home_desa"),
        (lambda w: officers(w.polsek, 1)[0], lambda w: {"unit": w.other_polsek.pk}, "unit"),
        (lambda w: officers(w.polres, 1)[0], lambda w: {"is_active": ""}, "is_active"),
    ],
    ids=["home-desa-is-posted-village", "polsek-moved-out-of-area", "deactivated"],
)
def test_officer_admin_refuses_a_change_that_breaks_a_posting(
    client, superuser, world, make_officer, change, field
):
    officer = make_officer(world)
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    before = stored_officer(officer)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:operations_officer_change", args=[officer.pk]), officer_form(officer, **change(world))
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert f"Desa {world.own[0].desa.name}" in errors[field][0]
    assert world.operation.name in errors[field][0]
    assert stored_officer(officer) == before


def test_officer_admin_change_is_copied_into_the_postings(client, superuser, world):
    (officer,) = officers(world.polres, 1)
    posting = assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    client.force_login(superuser)

    response = client.post(
        reverse("admin:operations_officer_change", args=[officer.pk]),
        officer_form(officer, home_desa=world.own[1].desa_id),
    )

    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.officer_home_desa_id == world.own[1].desa_id
