from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from operations import demo
from operations.allocation.geo import haversine_km_matrix
from operations.models import BkoContingent, Officer, Operation, SecurityPattern, Unit
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from villages.models import Candidate, Desa, Kabupaten, Kecamatan, VillageElection

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("villages").get_models(),
        *apps.get_app_config("operations").get_models(),
        get_user_model(),
        get_user_model().groups.through,
    ]
    # Audit history records every save by design; the domain rows are what must not grow.
    return {
        model._meta.label: model.objects.count()
        for model in models
        if not model.__name__.startswith("Historical")
    }


def _haversine_km(lat1, lon1, lat2, lon2) -> float:
    return float(haversine_km_matrix([float(lat1)], [float(lon1)], [float(lat2)], [float(lon2)])[0, 0])


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=StringIO())


def test_second_run_changes_no_counts(loaded):
    first = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == first
    assert first["operations.Officer"] == len(demo.demo_officers())


def test_second_run_restores_edited_demo_rows(loaded):
    Desa.objects.filter(code="36.04.18.2003").update(name="Renged (diubah)")
    get_user_model().objects.get(username="kabagops").groups.clear()
    call_command("load_demo", stdout=StringIO())
    assert Desa.objects.get(code="36.04.18.2003").name == "Renged"
    assert get_user_model().objects.get(username="kabagops").groups.get().name == KABAG_OPS


@pytest.mark.parametrize(
    ("kecamatan_code", "names"),
    [
        (
            "36.04.17",
            {
                "Carenang",
                "Pamanuk",
                "Mandaya",
                "Teras",
                "Ragas Masigit",
                "Walikukun",
                "Panenjoan",
                "Mekarsari",
            },
        ),
        ("36.04.18", {"Binuang", "Cakung", "Renged", "Gembor", "Warakas", "Sukamampir", "Lamaran"}),
        ("36.04.13", {"Wargasara"}),
    ],
)
def test_kecamatan_hold_exactly_their_desa(loaded, kecamatan_code, names):
    desa = Desa.objects.filter(kecamatan__code=kecamatan_code)
    assert {d.name for d in desa} == names
    assert all(d.code.startswith(kecamatan_code + ".") for d in desa)


def test_wargasara_is_reached_only_by_sea_with_polairud(loaded):
    wargasara = Desa.objects.get(code="36.04.13.2009")
    assert wargasara.sea_access_only
    assert "Polairud" in wargasara.access_notes
    assert Desa.objects.filter(sea_access_only=True).count() == 1


def test_polsek_carenang_has_24_personnel_led_by_one_akp_kapolsek(loaded):
    officers = Officer.objects.filter(unit__name=demo.POLSEK_CARENANG)
    assert officers.count() == 24
    kapolsek = officers.get(rank=Pangkat.AKP)
    assert kapolsek.position == "Kapolsek Carenang"
    assert set(
        Unit.objects.get(name=demo.POLSEK_CARENANG).jurisdictions.values_list("kecamatan__code", flat=True)
    ) == {"36.04.17", "36.04.18"}


def test_polres_hq_has_kabag_ops_and_kapolres(loaded):
    hq = Officer.objects.filter(unit__name=demo.POLRES)
    assert hq.filter(rank=Pangkat.KOMPOL, position__startswith="Kabag Ops").count() == 1
    assert hq.filter(rank=Pangkat.AKBP, position="Kapolres Serang").count() == 1


def test_renged_is_farthest_from_polsek_carenang_hq(loaded):
    hq = Unit.objects.get(name=demo.POLSEK_CARENANG)
    distances = {
        d.name: _haversine_km(hq.hq_latitude, hq.hq_longitude, d.latitude, d.longitude)
        for d in Desa.objects.filter(kecamatan__code__in=["36.04.17", "36.04.18"])
    }
    assert len(distances) == 15
    assert max(distances, key=distances.get) == "Renged"
    assert 9 < distances["Renged"] < 10


def test_demo_desa_carry_the_real_centroids_and_outlines(loaded):
    renged = Desa.objects.get(code="36.04.18.2003")
    # The public data set's centroid, not a typed-in placeholder.
    assert (float(renged.latitude), float(renged.longitude)) == (-6.143968, 106.376844)
    assert not Desa.objects.filter(boundary_geojson="").exists()
    assert not Kecamatan.objects.filter(boundary_geojson="").exists()
    assert Kabupaten.objects.get(code="36.04").boundary_geojson
    wargasara = Desa.objects.get(name="Wargasara")
    assert float(wargasara.latitude) == pytest.approx(-5.81, abs=0.01)  # Pulau Tunda, offshore
    operation = Operation.objects.get(name=demo.OPERATION_NAME)
    assert operation.sea_port_name == "Pelabuhan Karangantu" and operation.sea_port_latitude is not None


def test_haversine_matches_known_pairs():
    # Jakarta (Monas) to Bandung (Gedung Sate) is about 118 km; a minute of latitude is 1.853 km.
    assert _haversine_km(-6.175392, 106.827153, -6.902481, 107.618781) == pytest.approx(118.4, abs=1.0)
    assert _haversine_km(0, 106, 1 / 60, 106) == pytest.approx(1.853, abs=0.002)


def test_every_demo_row_passes_model_validation(loaded):
    for model in (Desa, Unit, Officer, VillageElection, Candidate, Operation, BkoContingent):
        for row in model.objects.all():
            row.full_clean()


def test_officers_are_flagged_demo_with_eight_digit_unique_nrp(loaded):
    nrps = list(Officer.objects.values_list("nrp", flat=True))
    assert Officer.objects.filter(is_demo=False).count() == 0
    assert len(nrps) == len(set(nrps))
    assert all(len(nrp) == 8 and nrp.isdigit() for nrp in nrps)


def test_some_polsek_carenang_officers_live_in_a_demo_desa(loaded):
    residents = Officer.objects.filter(unit__name=demo.POLSEK_CARENANG, home_desa__isnull=False)
    assert residents.count() >= 2
    assert {o.home_desa.kecamatan.code for o in residents} <= {"36.04.17", "36.04.18"}


def test_village_elections_have_no_committee_and_plausible_sizes(loaded):
    village_elections = VillageElection.objects.filter(election__name=demo.ELECTION_NAME)
    assert village_elections.count() == 16
    for village_election in village_elections:
        assert village_election.committee_formed_on is None
        assert 3 <= village_election.tps_count <= 12
        assert 1500 <= village_election.registered_voters <= 6000
        assert 2 <= village_election.candidates.count() <= 4


def test_mekarsari_former_head_runs_against_strong_rival(loaded):
    candidates = Candidate.objects.filter(village_election__desa__name="Mekarsari")
    former = candidates.get(head_status=Candidate.HeadStatus.FORMER)
    rival = candidates.exclude(pk=former.pk).order_by("-estimated_supporters").first()
    assert former.needs_close_escort and rival.needs_close_escort
    assert rival.estimated_supporters >= former.estimated_supporters


def test_lamaran_candidate_who_lost_before_runs_again_under_escort(loaded):
    candidate = Candidate.objects.get(village_election__desa__name="Lamaran", lost_before=True)
    assert candidate.needs_close_escort
    escorted = Candidate.objects.filter(needs_close_escort=True)
    assert set(escorted.values_list("village_election__desa__name", flat=True)) == {"Mekarsari", "Lamaran"}


def test_operation_uses_seeded_per_desa_patterns_and_arrived_bko(loaded):
    operation = Operation.objects.get(name="Ops Aman Pilkades Kalimaya 2019")
    assert operation.election.name == demo.ELECTION_NAME
    assert operation.pattern_set.name == "Polres Serang Pilkades 2021 (per desa)"
    contingents = operation.bko_contingents.select_related("unit")
    assert {c.unit.name for c in contingents} == {demo.BRIMOB, demo.POLDA}
    assert all(c.status == BkoContingent.Status.ARRIVED and c.unit.supplies_bko for c in contingents)


def test_polres_alone_falls_short_of_the_need_and_bko_closes_the_gap(loaded):
    operation = Operation.objects.get(name="Ops Aman Pilkades Kalimaya 2019")
    per_desa = SecurityPattern.objects.get(
        pattern_set=operation.pattern_set, level=operation.unassessed_level
    )
    escorted = Candidate.objects.filter(needs_close_escort=True).count()
    need = per_desa.police * VillageElection.objects.count() + operation.escorts_per_candidate * escorted
    polres = Officer.objects.active().filter(unit__supplies_bko=False).count()
    bko = Officer.objects.active().filter(unit__supplies_bko=True).count()
    assert polres < need <= polres + bko


@pytest.mark.parametrize(
    ("username", "role", "unit_name"),
    [
        ("kapolres", PIMPINAN, demo.POLRES),
        ("kabagops", KABAG_OPS, demo.POLRES),
        ("polsek.carenang", POLSEK, demo.POLSEK_CARENANG),
        ("polsek.tirtayasa", POLSEK, demo.POLSEK_TIRTAYASA),
    ],
)
def test_demo_logins_have_their_role_and_officer(loaded, username, role, unit_name):
    login = next(login for login in demo.LOGINS if login.username == username)
    user = get_user_model().objects.get(username=username)
    assert user.is_active and user.check_password(login.password)
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.officer.unit.name == unit_name


def test_admin_login_is_superuser_and_kabagops_is_staff(loaded):
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("Demo-Admin-2019!")
    assert get_user_model().objects.get(username="kabagops").is_staff
    assert not get_user_model().objects.get(username="polsek.carenang").is_staff


def test_rerun_resets_a_changed_demo_password(loaded):
    user = get_user_model().objects.get(username="kabagops")
    user.set_password("something-else-entirely")
    user.save()
    call_command("load_demo", stdout=StringIO())
    assert get_user_model().objects.get(username="kabagops").check_password("Demo-Kabagops-2019!")


def test_command_prints_every_login_and_password(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    for login in demo.LOGINS:
        assert login.username in out.getvalue()
        assert login.password in out.getvalue()


def test_generated_officers_are_the_same_on_every_call():
    assert demo.demo_officers() == demo.demo_officers()


def test_demo_login_works_through_the_login_page(loaded, client):
    response = client.post(reverse("login"), {"username": "kabagops", "password": "Demo-Kabagops-2019!"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_demo_officers_carry_their_catalogue_positions_and_desa_binaan(loaded):
    by_nrp = {o.nrp: o for o in Officer.objects.select_related("jabatan", "desa_binaan")}
    assert by_nrp["72050418"].jabatan.name == "Kapolres"
    assert by_nrp["76110237"].jabatan.name == "Kabag Ops"
    assert by_nrp["74080512"].jabatan.name == "Wakapolres"
    assert by_nrp["79030655"].jabatan.name == "Kapolsek"
    assert by_nrp["81060177"].jabatan.name == "Kasat"
    wakapolsek = Officer.objects.get(position="Wakapolsek Carenang")
    assert wakapolsek.jabatan.name == "Wakapolsek"
    bhabin = Officer.objects.get(position="Bhabinkamtibmas Desa Mekarsari")
    assert (bhabin.jabatan.name, bhabin.desa_binaan.name) == ("Bhabinkamtibmas", "Mekarsari")


def test_demo_operation_order_is_dated_before_the_vote_and_signed_by_the_kapolres(loaded):
    operation = Operation.objects.get(name=demo.OPERATION_NAME)
    assert operation.order_date < demo.VOTING_DAY
    assert operation.order_basis and operation.order_purpose
    assert (operation.signatory_name, operation.signatory_nrp) == ("Hendra Wiratama", "72050418")


def test_demo_proposal_shows_the_command_rules_working(loaded):
    from operations.models import Duty, Position
    from operations.positions import OFF_VILLAGE_DUTY
    from operations.services.proposals import proposal_create

    operation = Operation.objects.get(name=demo.OPERATION_NAME)
    kabag = get_user_model().objects.get(username="kabagops")

    proposal = proposal_create(operation=operation, by=kabag)

    items = proposal.items.select_related("officer__jabatan", "officer__unit", "village_election__desa")
    assert not [i for i in items if i.officer.jabatan and i.officer.jabatan.category in OFF_VILLAGE_DUTY]
    assert Position.objects.filter(category__in=OFF_VILLAGE_DUTY, officers__is_demo=True).exists()
    boat = [i for i in items if i.duty == Duty.BOAT_TEAM]
    assert {i.village_election.desa.name for i in boat} == {"Wargasara"}
    assert {i.officer.unit.name for i in boat} == {demo.POLAIRUD}
    assert len(boat) == operation.boat_team_size
    flagged = Candidate.objects.filter(village_election__desa__name="Mekarsari", needs_close_escort=True)
    assert flagged.exists()
    for candidate in flagged:
        escorts = [i for i in items if i.duty == Duty.CLOSE_ESCORT and i.candidate_id == candidate.pk]
        assert len(escorts) == operation.escorts_per_candidate
