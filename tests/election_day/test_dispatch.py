"""Dispatch: the proposal's rules (pure), the pool from the database, the one-click confirmation."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from election_day.dispatch import Available, Group, choose_team, team_problem
from election_day.models import Dispatch, Incident
from election_day.selectors import dispatch_proposal
from election_day.services.common import Conflict
from election_day.services.dispatch import dispatch_confirm
from election_day.services.incidents import incident_report
from operations.models import Assignment, Duty, RiskLevel, Unit, VillageStanding
from operations.services.assignments import assignment_create
from operations.services.reports import risk_override
from tests.election_day.world import build
from tests.factories import DesaFactory, OfficerFactory, UnitFactory, VillageElectionFactory


def officer(oid, group, km, polairud=False):
    return Available(oid, oid, f"P{oid}", "reserve", group, "", km, polairud)


# --- the rules, on plain data ---------------------------------------------------------------------


def test_nearest_pair_is_proposed():
    pool = [
        officer(1, "reserve:1", 20),
        officer(2, "reserve:1", 20),
        officer(3, "patrol:5", 3),
        officer(4, "patrol:5", 3.5),
    ]
    groups = {"reserve:1": Group("reserve:1", 2, 2, keeps_pairs=False), "patrol:5": Group("patrol:5", 2, 2)}
    assert [o.officer_id for o in choose_team(pool, groups, needs_polairud=False).team] == [3, 4]


def test_a_lone_officer_is_never_sent():
    pool = [officer(1, "reserve:1", 5)]
    proposal = choose_team(
        pool, {"reserve:1": Group("reserve:1", 1, 1, keeps_pairs=False)}, needs_polairud=False
    )
    assert proposal.team == [] and proposal.problem == "too_few"


def test_a_patrol_never_keeps_a_lone_officer():
    # One reserve officer nearest, then a patrol pair: taking one of the pair would leave one alone.
    pool = [officer(1, "reserve:1", 1), officer(2, "patrol:5", 2), officer(3, "patrol:5", 2)]
    groups = {"reserve:1": Group("reserve:1", 1, 1, keeps_pairs=False), "patrol:5": Group("patrol:5", 2, 2)}
    team = choose_team(pool, groups, needs_polairud=False).team
    assert sorted(o.officer_id for o in team) == [1, 2, 3]
    assert team_problem([pool[0], pool[1]], groups, needs_polairud=False) == "lone_left"


@pytest.mark.parametrize(
    ("size", "need", "offered"),
    [(10, 10, 0), (11, 10, 0), (12, 10, 2), (13, 10, 3)],  # 11 − 1 would leave no pair to take
)
def test_a_village_gives_only_what_it_has_above_its_need(size, need, offered):
    pool = [officer(i, "village:7", 1) for i in range(size)]
    groups = {"village:7": Group("village:7", size, max(size - need, 0))}
    proposal = choose_team(pool, groups, size=size, needs_polairud=False)
    assert len(proposal.team) == offered
    assert size - len(proposal.team) >= need


def test_the_island_gets_polairud_first_even_when_farther():
    pool = [
        officer(1, "reserve:1", 5),
        officer(2, "reserve:1", 5),
        officer(3, "reserve:9", 40, polairud=True),
    ]
    groups = {"reserve:1": Group("reserve:1", 2, 2, False), "reserve:9": Group("reserve:9", 1, 1, False)}
    team = choose_team(pool, groups, needs_polairud=True).team
    assert team[0].officer_id == 3 and len(team) == 2
    proposal = choose_team(pool[:2], groups, needs_polairud=True)
    assert proposal.problem == "no_polairud" and proposal.team == []


# --- the pool from the database -------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def post(w, duty, unit, *, kecamatan=None, village=None, **officer_fields):
    o = OfficerFactory(unit=unit, **officer_fields)
    return assignment_create(
        operation=w.operation, officer=o, duty=duty, kecamatan=kecamatan, village_election=village, by=w.kabag
    )


def polres(lat="-6.00", lng="106.15"):
    # Polres officers may be posted anywhere in the regency.
    return UnitFactory(kind=Unit.Kind.POLRES, hq_latitude=Decimal(lat), hq_longitude=Decimal(lng))


def incident_at(w, village):
    return incident_report(
        operation=w.operation,
        village_election=village,
        category=w.category,
        severity=2,
        description="Massa berkumpul",
        by=w.kabag,
        idempotency_key=uuid.uuid4(),
    )[0]


def ids(proposal):
    return sorted(o.officer_id for o in proposal.team)


def test_pool_prefers_the_nearer_patrol_over_the_far_reserve(w):
    kecamatan = w.own[0].desa.kecamatan
    kecamatan.latitude, kecamatan.longitude = Decimal("-6.11"), Decimal("106.31")
    kecamatan.save()
    mako = polres()
    reserve = [post(w, Duty.RESERVE, mako) for _ in range(2)]
    patrol = [post(w, Duty.PATROL, w.polsek, kecamatan=kecamatan) for _ in range(2)]
    found, proposal = dispatch_proposal(incident=incident_at(w, w.own[0]))
    assert ids(proposal) == sorted(a.officer_id for a in patrol)
    assert {o.officer_id for o in found.pool} >= {a.officer_id for a in reserve}
    assert all(o.distance_km is not None for o in found.pool)


def test_pool_leaves_out_other_polsek_officers_and_residents_of_the_desa(w):
    stranger = post(w, Duty.RESERVE, UnitFactory(kind=Unit.Kind.POLSEK))
    resident = post(w, Duty.RESERVE, polres(), home_desa=w.own[0].desa)
    found, _proposal = dispatch_proposal(incident=incident_at(w, w.own[0]))
    pooled = {o.officer_id for o in found.pool}
    assert stranger.officer_id not in pooled and resident.officer_id not in pooled


def test_a_sangat_rawan_village_keeps_its_need(w):
    third = VillageElectionFactory(
        election=w.operation.election,
        desa=DesaFactory(
            kecamatan=w.own[0].desa.kecamatan, latitude=Decimal("-6.12"), longitude=Decimal("106.30")
        ),
    )
    risk_override(village_election=third, level=RiskLevel.SANGAT_RAWAN, reason="Bentrok 2019", by=w.kabag)
    need = VillageStanding.objects.get(operation=w.operation, village_election=third).required_personnel
    assert need >= 2
    guards = [post(w, Duty.VILLAGE_GUARD, polres(), village=third) for _ in range(need)]
    found, proposal = dispatch_proposal(incident=incident_at(w, w.own[1]))
    assert not {g.officer_id for g in guards} & {o.officer_id for o in found.pool}
    assert proposal.problem == "too_few"
    extra = [post(w, Duty.VILLAGE_GUARD, polres(), village=third) for _ in range(2)]
    found, proposal = dispatch_proposal(incident=incident_at(w, w.own[1]))
    assert len(proposal.team) == 2
    assert Assignment.objects.filter(village_election=third).count() - len(proposal.team) >= need
    assert extra


def test_the_island_is_proposed_polairud(w):
    w.own[1].desa.sea_access_only = True
    w.own[1].desa.save()
    [post(w, Duty.RESERVE, polres()) for _ in range(3)]
    _found, proposal = dispatch_proposal(incident=incident_at(w, w.own[1]))
    assert proposal.problem == "no_polairud"
    boat = post(w, Duty.RESERVE, polres(lat="-5.90", lng="106.20"))
    boat.officer.unit.kind = Unit.Kind.POLAIRUD
    boat.officer.unit.save()
    _found, proposal = dispatch_proposal(incident=incident_at(w, w.own[1]))
    assert proposal.team[0].officer_id == boat.officer_id and len(proposal.team) == 2


# --- confirming ------------------------------------------------------------------------------------


def test_confirm_moves_the_postings_with_history_and_marks_the_incident(w):
    mako = polres()
    reserve = [post(w, Duty.RESERVE, mako) for _ in range(3)]
    incident = incident_at(w, w.own[1])
    _found, proposal = dispatch_proposal(incident=incident)
    chosen = [o.officer_id for o in proposal.team]
    dispatches = dispatch_confirm(incident=incident, officer_ids=chosen, by=w.kabag)
    assert len(dispatches) == 2
    incident.refresh_from_db()
    assert incident.state == Incident.State.DISPATCHED and incident.dispatched_by == w.kabag
    for officer_id in chosen:
        posting = Assignment.objects.get(operation=w.operation, officer_id=officer_id)
        assert posting.duty == Duty.VILLAGE_GUARD and posting.village_election == w.own[1]
        assert f"#{incident.pk}" in posting.note
        assert Assignment.history.filter(officer_id=officer_id, history_type="-").exists()
        assert posting.assigned_by == w.kabag and posting.history.filter(history_type="+").exists()
    assert Dispatch.objects.filter(incident=incident, from_duty=Duty.RESERVE).count() == 2
    assert Assignment.objects.filter(pk__in=[r.pk for r in reserve], duty=Duty.RESERVE).count() == 1
    # A second Kabag Ops confirming the same team a moment later sees who did it.
    with pytest.raises(Conflict) as exc:
        dispatch_confirm(incident=incident, officer_ids=chosen, by=w.kabag2)
    assert "dikirimi tim" in exc.value.message


def test_confirm_refuses_a_lone_officer_and_non_kabag_ops(w):
    reserve = [post(w, Duty.RESERVE, polres()) for _ in range(2)]
    incident = incident_at(w, w.own[1])
    with pytest.raises(ValidationError) as exc:
        dispatch_confirm(incident=incident, officer_ids=[reserve[0].officer_id], by=w.kabag)
    assert "berdua" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        dispatch_confirm(incident=incident, officer_ids=[r.officer_id for r in reserve], by=w.pimpinan)
    with pytest.raises(ValidationError):
        dispatch_confirm(
            incident=incident, officer_ids=[w.member.officer_id, reserve[0].officer_id], by=w.kabag
        )
    assert not Dispatch.objects.exists()
    assert Assignment.objects.filter(duty=Duty.RESERVE).count() == 2


# --- API -------------------------------------------------------------------------------------------


def test_api_proposes_then_dispatches_with_one_post(api_client, w):
    reserve = [post(w, Duty.RESERVE, polres()) for _ in range(2)]
    incident = incident_at(w, w.own[1])
    api_client.force_authenticate(w.kabag)
    url = f"/api/v1/hari-h/incidents/{incident.pk}/"
    proposal = api_client.get(url + "dispatch-proposal/").json()
    assert sorted(o["officer"] for o in proposal["team"]) == sorted(r.officer_id for r in reserve)
    assert proposal["problem"] == "" and proposal["team"][0]["distance_km"] > 0
    sent = api_client.post(
        url + "dispatch/", {"officers": [o["officer"] for o in proposal["team"]]}, format="json"
    )
    assert sent.status_code == 200, sent.json()
    assert len(sent.json()) == 2
    again = api_client.post(
        url + "dispatch/", {"officers": [o["officer"] for o in proposal["team"]]}, format="json"
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("query", "body"),
    [("?size=1", None), ("?size=x", None), (None, {"officers": [1]}), (None, {"officers": "a"}), (None, {})],
)
def test_api_dispatch_bad_input_is_400(api_client, w, query, body):
    incident = incident_at(w, w.own[1])
    api_client.force_authenticate(w.kabag)
    url = f"/api/v1/hari-h/incidents/{incident.pk}/"
    if query:
        response = api_client.get(url + "dispatch-proposal/" + query)
    else:
        response = api_client.post(url + "dispatch/", body, format="json")
    assert response.status_code == 400


def test_api_dispatch_is_kabag_ops_only(api_client, w):
    incident = incident_at(w, w.own[0])
    for user in (w.pimpinan, w.polsek_user, w.leader_user):
        api_client.force_authenticate(user)
        url = f"/api/v1/hari-h/incidents/{incident.pk}/"
        assert api_client.get(url + "dispatch-proposal/").status_code == 403
        assert api_client.post(url + "dispatch/", {"officers": [1, 2]}, format="json").status_code == 403


def test_pool_never_proposes_a_commander_and_keeps_him_company(w):
    # Issue 13's rule: a Kompol (Kabag Ops, Kasat) posted in the reserve or a patrol commands; he
    # is not sent to a village, and a patrol does not leave him alone either.
    from operations.ranks import Pangkat

    mako = polres()
    chief = post(w, Duty.RESERVE, mako, rank=Pangkat.KOMPOL)
    one = post(w, Duty.RESERVE, mako)
    found, proposal = dispatch_proposal(incident=incident_at(w, w.own[1]))
    assert chief.officer_id not in {o.officer_id for o in found.pool}
    assert proposal.problem == "too_few"
    kecamatan = w.own[1].desa.kecamatan
    patrol_chief = post(w, Duty.PATROL, w.polsek, kecamatan=kecamatan, rank=Pangkat.KOMPOL)
    patrol = [post(w, Duty.PATROL, w.polsek, kecamatan=kecamatan) for _ in range(2)]
    found, proposal = dispatch_proposal(incident=incident_at(w, w.own[1]))
    assert patrol_chief.officer_id not in {o.officer_id for o in found.pool}
    taken = {o.officer_id for o in proposal.team}
    assert len(taken) >= 2 and taken <= {one.officer_id} | {p.officer_id for p in patrol}
    # Taking both patrol officers would leave the Kompol alone on patrol.
    assert not {p.officer_id for p in patrol} <= taken
    with pytest.raises(ValidationError):
        dispatch_confirm(
            incident=Incident.objects.latest("pk"),
            officer_ids=[chief.officer_id, one.officer_id],
            by=w.kabag,
        )
