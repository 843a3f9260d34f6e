"""Each role starts on what it needs, and people are shown by rank and name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.ranks import Pangkat
from operations.services.reports import report_create, report_return, report_submit
from tests.factories import AllocationProposalFactory, DesaFactory, UserFactory, VillageElectionFactory
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _officer(user, rank: Pangkat, name: str):
    user.officer.rank = rank
    user.officer.name = name
    user.officer.save()


def test_kapolres_starts_on_the_dashboard(client, world):
    client.force_login(world.pimpinan)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=[world.operation.pk])


def test_kapolres_on_a_new_install_without_an_operation_lands_on_home(client, make_user):
    from operations.roles import PIMPINAN

    client.force_login(make_user(PIMPINAN))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert len(response.redirect_chain) <= 1  # not sent round between home and the dashboard


def test_login_takes_kapolres_to_the_dashboard(client, world):
    world.pimpinan.set_password("Sandi-Uji-12345")
    world.pimpinan.save()
    response = client.post(
        reverse("login"), {"username": world.pimpinan.username, "password": "Sandi-Uji-12345"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=[world.operation.pk])


def test_kabag_ops_starts_on_what_needs_him(client, world):
    report = report_create(village_election=world.own[0], author=world.polsek, answers=answers())
    report_submit(report=report, by=world.polsek)
    proposal = AllocationProposalFactory(operation=world.operation)
    client.force_login(world.kabag)

    html = client.get(reverse("home")).content.decode()

    assert "Yang menunggu Anda" in html
    assert '<div class="big" data-waiting-reports>1</div>' in html
    assert reverse("report-review") in html
    assert reverse("deployment-proposal", args=[proposal.pk]) in html
    assert "personel kurang di" in html
    assert reverse("dashboard", args=[world.operation.pk]) in html


def test_polsek_starts_on_his_villages_with_each_report_state(client, world):
    returned = report_create(village_election=world.own[0], author=world.polsek, answers=answers())
    report_submit(report=returned, by=world.polsek)
    report_return(report=returned, by=world.kabag, reason="Lengkapi bukti")
    client.force_login(world.polsek)

    html = client.get(reverse("home")).content.decode()

    assert "Desa wilayah Anda" in html
    assert 'class="button primary big-action"' in html and "Buat laporan" in html
    assert world.own[0].desa.name in html and world.own[1].desa.name in html
    assert world.foreign.desa.name not in html
    assert "Dikembalikan" in html and "Belum ada laporan" in html
    assert reverse("report-edit", args=[returned.pk]) in html
    assert f"{reverse('report-create')}?desa={world.own[1].pk}" in html


def test_polsek_start_page_queries_do_not_grow_with_villages(client, world):
    client.force_login(world.polsek)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    kecamatan = world.own[0].desa.kecamatan
    for _ in range(5):
        desa = DesaFactory(kecamatan=kecamatan)
        village = VillageElectionFactory(election=world.operation.election, desa=desa)
        report_create(village_election=village, author=world.polsek, answers=answers())
    with CaptureQueriesContext(connection) as large:
        html = client.get(reverse("home")).content.decode()
    assert html.count("Draf") == 5
    assert len(large) == len(small)


def test_nav_shows_rank_and_name_not_the_login(client, world):
    _officer(world.pimpinan, Pangkat.AKBP, "Budi Santoso")
    client.force_login(world.kabag)
    _officer(world.kabag, Pangkat.KOMPOL, "Agus Wibowo")
    html = client.get(reverse("home")).content.decode()
    assert "Kompol Agus Wibowo" in html
    assert world.kabag.username not in html


def test_a_login_without_an_officer_is_shown_by_name(client):
    user = UserFactory(first_name="Admin", last_name="Polres")  # no role, no officer record
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "Selamat datang, Admin Polres." in html


def test_review_queue_and_village_page_show_the_author_by_rank_and_name(client, world):
    _officer(world.polsek, Pangkat.BRIPKA, "Dedi Kurniawan")
    report = report_create(village_election=world.own[0], author=world.polsek, answers=answers())
    report_submit(report=report, by=world.polsek)
    client.force_login(world.kabag)
    queue = client.get(reverse("report-review")).content.decode()
    village = client.get(reverse("village-detail", args=[world.own[0].pk])).content.decode()
    assert "Bripka Dedi Kurniawan" in queue
    assert "Bripka Dedi Kurniawan" in village
    assert world.polsek.username not in village


def test_kabag_ops_start_page_marks_a_stale_proposal_as_the_board_does(client, world):
    """Applying a stale proposal is refused: his start page must say so before he opens it."""
    from operations.proposal_basis import proposal_basis

    fresh = AllocationProposalFactory(
        operation=world.operation, basis=proposal_basis(operation=world.operation, stage="voting")
    )
    stale = AllocationProposalFactory(operation=world.operation, basis={"postings": "old", "villages": {}})
    client.force_login(world.kabag)

    html = client.get(reverse("home")).content.decode()

    items = {
        pk: html.split(reverse("deployment-proposal", args=[pk]))[1].split("</li>")[0]
        for pk in (fresh.pk, stale.pk)
    }
    assert "usang" in items[stale.pk]
    assert "usang" not in items[fresh.pk]
