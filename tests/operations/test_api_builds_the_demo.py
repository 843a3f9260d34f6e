"""An outside tool builds the demo's master data through the API alone (units, jurisdictions,
officers with their desa binaan, the election, village elections, candidates, the operation and its
BKO) from the demo's own tables; load_demo run afterwards over the same natural keys finds nothing
to change. Regions come from the Kemendagri import, as for any tool (the API does not create desa).
"""

import pytest

from operations import demo
from operations.models import BkoContingent, Jurisdiction, Officer, Operation, Unit
from operations.roles import KABAG_OPS
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

pytestmark = pytest.mark.django_db


def _regions() -> None:
    """What the region import writes for the demo's kabupaten (codes, names, access notes)."""
    kecamatan = {
        code: Kecamatan.objects.create(code=code, name=name, kabupaten_name=demo.KABUPATEN)
        for code, name in demo.KECAMATAN
    }
    for row in demo.DESA:
        Desa.objects.create(
            code=row.code,
            name=row.name,
            kecamatan=kecamatan[row.code[:8]],
            access_notes=row.access_notes,
            sea_access_only=row.sea_access_only,
        )


def _snapshot() -> dict[str, list[tuple]]:
    """The master data by natural keys (ids differ between two builds; coordinates of desa come
    from the boundary files, logins and the demo flag are the demo's own)."""
    return {
        "units": sorted(
            Unit.objects.values_list(
                "name", "kind", "parent__name", "hq_address", "hq_latitude", "hq_longitude", "supplies_bko"
            )
        ),
        "jurisdictions": sorted(Jurisdiction.objects.values_list("unit__name", "kecamatan__code")),
        "officers": sorted(
            Officer.objects.values_list(
                "nrp",
                "name",
                "rank",
                "position",
                "jabatan__name",
                "desa_binaan__code",
                "unit__name",
                "home_desa__code",
                "phone",
                "is_active",
            )
        ),
        "elections": sorted(Election.objects.values_list("name", "voting_day", "status")),
        "village_elections": sorted(
            VillageElection.objects.values_list(
                "election__name",
                "desa__code",
                "tps_count",
                "registered_voters",
                "committee_formed_on",
                "status",
            )
        ),
        "candidates": sorted(
            Candidate.objects.values_list(
                "village_election__desa__code",
                "ballot_number",
                "full_name",
                "head_status",
                "lost_before",
                "status",
                "estimated_supporters",
                "needs_close_escort",
                "notes",
            )
        ),
        "operations": sorted(
            Operation.objects.values_list(
                "name",
                "election__name",
                "sprin_number",
                "order_date",
                "order_basis",
                "order_purpose",
                "signatory_name",
                "signatory_rank",
                "signatory_nrp",
                "starts_on",
                "ends_on",
                "status",
                "pattern_set__name",
                "sea_port_name",
                "sea_port_latitude",
                "sea_port_longitude",
            )
        ),
        "bko": sorted(
            BkoContingent.objects.values_list(
                "operation__name", "unit__name", "status", "expected_strength", "arrived_on"
            )
        ),
    }


def _ok(response, status: int = 201) -> dict:
    assert response.status_code == status, response.json()
    return response.json()


def test_the_demo_master_data_built_through_the_api_is_what_load_demo_builds(api_client, make_user):
    _regions()
    api_client.force_authenticate(make_user(KABAG_OPS))
    desks = Officer.objects.values_list("nrp", flat=True)  # the test user's own officer record
    desk_nrps = set(desks)

    for row in demo.UNITS:
        body = {
            "name": row.name,
            "kind": row.kind,
            "hq_address": row.address,
            "hq_latitude": row.latitude,
            "hq_longitude": row.longitude,
            "supplies_bko": row.supplies_bko,
        }
        if row.parent:
            body["parent_name"] = row.parent
        _ok(api_client.post("/api/v1/units/", body, format="json"))
        for code in row.kecamatan_codes:
            body = {"unit_name": row.name, "kecamatan_code": code}
            _ok(api_client.post("/api/v1/jurisdictions/", body, format="json"))

    officers = demo.demo_officers()
    rows = [
        {
            "nrp": o.nrp,
            "name": o.name,
            "rank": o.rank,
            "position": o.position,
            "unit_name": o.unit,
            "home_desa_code": o.home_desa_code,
            "phone": f"0812-{o.nrp[:4]}-{o.nrp[4:]}",
            "is_active": True,
        }
        for o in officers
    ]
    _ok(api_client.post("/api/v1/officers/bulk/", {"officers": rows}, format="json"), 200)
    desa_by_name = dict(Desa.objects.values_list("name", "code"))
    for o in officers:
        binaan = o.position.removeprefix("Bhabinkamtibmas Desa ")
        if o.position.startswith("Bhabinkamtibmas Desa ") and binaan in desa_by_name:
            pk = Officer.objects.get(nrp=o.nrp).pk
            body = {"desa_binaan_code": desa_by_name[binaan]}
            _ok(api_client.patch(f"/api/v1/officers/{pk}/", body, format="json"), 200)

    election = _ok(
        api_client.post(
            "/api/v1/elections/",
            {"name": demo.ELECTION_NAME, "voting_day": demo.VOTING_DAY.isoformat(), "status": "planned"},
            format="json",
        )
    )
    villages = [
        {
            "election": election["id"],
            "desa_code": row.code,
            "tps_count": row.tps,
            "registered_voters": row.voters,
            "status": "preparation",
        }
        for row in demo.DESA
    ]
    _ok(
        api_client.post("/api/v1/village-elections/bulk/", {"village_elections": villages}, format="json"),
        200,
    )
    village_ids = dict(VillageElection.objects.values_list("desa__code", "pk"))
    candidates = [
        {
            "village_election": village_ids[row.code],
            "ballot_number": number,
            "full_name": c.full_name,
            "head_status": c.head_status,
            "lost_before": c.lost_before,
            "status": "registered",
            "estimated_supporters": c.estimated_supporters,
            "needs_close_escort": c.needs_close_escort,
            "notes": c.notes,
        }
        for row in demo.DESA
        for number, c in enumerate(demo.demo_candidates(row.code, row.voters), start=1)
    ]
    _ok(api_client.post("/api/v1/candidates/bulk/", {"candidates": candidates}, format="json"), 200)

    leader = demo.LEADERS[0]
    operation = _ok(
        api_client.post(
            "/api/v1/operations/",
            {
                "name": demo.OPERATION_NAME,
                "election": election["id"],
                "sprin_number": demo.OPERATION_SPRIN,
                "order_date": demo.OPERATION_ORDER_DATE.isoformat(),
                "order_basis": demo.OPERATION_BASIS,
                "order_purpose": demo.OPERATION_PURPOSE,
                "signatory_name": leader.name,
                "signatory_rank": leader.rank,
                "signatory_nrp": leader.nrp,
                "starts_on": demo.OPERATION_STARTS.isoformat(),
                "ends_on": demo.OPERATION_ENDS.isoformat(),
                "status": "active",
                "pattern_set_name": demo.OPERATION_PATTERN_SET,
                "sea_port_name": demo.SEA_PORT[0],
                "sea_port_latitude": demo.SEA_PORT[1],
                "sea_port_longitude": demo.SEA_PORT[2],
            },
            format="json",
        )
    )
    for name in (demo.BRIMOB, demo.POLDA):
        body = {
            "operation": operation["id"],
            "unit_name": name,
            "status": "expected",
            "expected_strength": Officer.objects.filter(unit__name=name).count(),
        }
        contingent = _ok(api_client.post("/api/v1/bko-contingents/", body, format="json"))
        body = {"status": "arrived", "arrived_on": demo.BKO_ARRIVED_ON.isoformat()}
        _ok(api_client.patch(f"/api/v1/bko-contingents/{contingent['id']}/", body, format="json"), 200)

    built = _snapshot()
    demo.demo_load()  # update_or_create over the same natural keys: changes nothing the API built
    loaded = _snapshot()
    loaded["officers"] = [o for o in loaded["officers"] if o[0] not in desk_nrps or o in built["officers"]]
    for table in built:
        assert built[table] == loaded[table], table
