import pytest
from django.core.management import call_command

from operations.models import PersonToken, Unit
from operations.models.tokens import person_key_digest
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.services.tokens import person_token_create
from tests import factories
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LIST_URLS = {
    "kecamatan": "/api/v1/kecamatan/",
    "desa": "/api/v1/desa/",
    "elections": "/api/v1/elections/",
    "village-elections": "/api/v1/village-elections/",
    "candidates": "/api/v1/candidates/",
    "units": "/api/v1/units/",
    "officers": "/api/v1/officers/",
    "operations": "/api/v1/operations/",
}


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def as_role(api_client, make_user):
    def login(role, unit=None):
        user = make_user(role, unit=unit)
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def two_polsek_areas():
    """Two Polsek, each with one kecamatan, one desa, one village election and one candidate."""
    areas = {}
    for label in ("sini", "sana"):
        jurisdiction = factories.JurisdictionFactory()
        desa = factories.DesaFactory(kecamatan=jurisdiction.kecamatan, name=f"Desa {label}")
        village_election = factories.VillageElectionFactory(desa=desa)
        factories.CandidateFactory(village_election=village_election, full_name=f"Calon {label}")
        areas[label] = jurisdiction
    return areas


@pytest.mark.parametrize("url", LIST_URLS.values(), ids=LIST_URLS.keys())
def test_anonymous_is_refused(api_client, url):
    response = api_client.get(url)
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("url", LIST_URLS.values(), ids=LIST_URLS.keys())
def test_user_in_no_role_sees_nothing(as_role, url):
    assert as_role(None).get(url).status_code == 403


@pytest.mark.parametrize("url", LIST_URLS.values(), ids=LIST_URLS.keys())
@pytest.mark.parametrize("role", [KABAG_OPS, PIMPINAN])
def test_hq_roles_read_every_endpoint(as_role, role, url):
    assert as_role(role).get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (LIST_URLS["desa"], True),
        (LIST_URLS["units"], True),
        (LIST_URLS["operations"], True),
        (LIST_URLS["officers"], False),
    ],
)
def test_polsek_reads_what_his_group_permits(as_role, url, allowed):
    assert (as_role(POLSEK).get(url).status_code == 200) is allowed


def test_token_is_issued_for_a_username_and_password(api_client, make_user):
    user = make_user(PIMPINAN)
    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert PersonToken.objects.get(user=user).digest == person_key_digest(response.json()["token"])


def test_token_refused_for_a_wrong_password_with_a_400(api_client, make_user):
    user = make_user(PIMPINAN)
    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "salah-sandi"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]
    assert not PersonToken.objects.exists()


def test_token_authentication_is_accepted(api_client, make_user):
    token = person_token_create(user=make_user(PIMPINAN))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get(LIST_URLS["desa"]).status_code == 200


@pytest.mark.parametrize(
    ("url", "field", "expected"),
    [
        (LIST_URLS["desa"], "name", {"Desa sini"}),
        (LIST_URLS["village-elections"], "desa_name", {"Desa sini"}),
        (LIST_URLS["candidates"], "full_name", {"Calon sini"}),
    ],
)
def test_polsek_user_sees_only_his_jurisdiction(as_role, two_polsek_areas, url, field, expected):
    client = as_role(POLSEK, unit=two_polsek_areas["sini"].unit)
    assert {row[field] for row in _results(client.get(url))} == expected


def test_polsek_user_cannot_open_desa_of_other_jurisdiction(as_role, two_polsek_areas):
    client = as_role(POLSEK, unit=two_polsek_areas["sini"].unit)
    other = two_polsek_areas["sana"].kecamatan.desa_set.get()
    assert client.get(f"{LIST_URLS['desa']}{other.pk}/").status_code == 404


def test_hq_sees_every_jurisdiction(as_role, two_polsek_areas):
    assert {row["name"] for row in _results(as_role(PIMPINAN).get(LIST_URLS["desa"]))} == {
        "Desa sini",
        "Desa sana",
    }


def test_desa_filters_by_kecamatan_id_code_sea_access_and_search(as_role):
    carenang = factories.KecamatanFactory(code="36.04.17", name="Carenang")
    tirtayasa = factories.KecamatanFactory(code="36.04.13", name="Tirtayasa")
    factories.DesaFactory(kecamatan=carenang, code="36.04.17.2010", name="Mekarsari")
    factories.DesaFactory(kecamatan=carenang, code="36.04.17.2001", name="Carenang")
    factories.DesaFactory(kecamatan=tirtayasa, code="36.04.13.2009", name="Wargasara", sea_access_only=True)
    client = as_role(KABAG_OPS)

    def names(**params) -> set[str]:
        return {row["name"] for row in _results(client.get(LIST_URLS["desa"], params))}

    assert names(kecamatan=carenang.pk) == {"Mekarsari", "Carenang"}
    assert names(kecamatan_code="36.04.13") == {"Wargasara"}
    assert names(sea_access_only="true") == {"Wargasara"}
    assert names(search="mekar") == {"Mekarsari"}
    assert names(search="2009") == {"Wargasara"}
    ordered = [row["name"] for row in _results(client.get(LIST_URLS["desa"], {"ordering": "-name"}))]
    assert ordered == ["Wargasara", "Mekarsari", "Carenang"]


def test_officers_filter_by_rank_unit_active_and_search(as_role):
    polsek = factories.UnitFactory(name="Polsek Carenang")
    brimob = factories.UnitFactory(name="Brimob", kind=Unit.Kind.BRIMOB)
    factories.OfficerFactory(unit=polsek, name="Asep Mulyana", nrp="79030655", rank=Pangkat.AKP)
    factories.OfficerFactory(unit=polsek, name="Dede Hakim", rank=Pangkat.BRIPKA, is_active=False)
    factories.OfficerFactory(unit=brimob, name="Ujang Fauzi", rank=Pangkat.BHARADA)
    client = as_role(KABAG_OPS, unit=brimob)

    def names(**params) -> set[str]:
        return {row["name"] for row in _results(client.get(LIST_URLS["officers"], params))}

    assert names(rank=Pangkat.AKP) == {"Asep Mulyana"}
    assert names(unit=polsek.pk) == {"Asep Mulyana", "Dede Hakim"}
    assert names(unit=polsek.pk, is_active="true") == {"Asep Mulyana"}
    assert names(search="7903") == {"Asep Mulyana"}
    assert names(search="fauzi") == {"Ujang Fauzi"}
    assert "Ujang Fauzi" not in names(rank_min=Pangkat.BRIPDA)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (LIST_URLS["officers"], {"rank": "jenderal"}),
        (LIST_URLS["desa"], {"kecamatan": "abc"}),
        (LIST_URLS["units"], {"kind": "kapal"}),
    ],
)
def test_bad_filter_value_is_a_400_with_field_errors(as_role, url, params):
    response = as_role(KABAG_OPS).get(url, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json()["errors"])


def test_village_elections_and_candidates_filters(as_role, two_polsek_areas):
    sini = two_polsek_areas["sini"]
    escorted = factories.CandidateFactory(
        village_election=factories.VillageElectionFactory(desa=sini.kecamatan.desa_set.get()),
        head_status="former",
    )
    client = as_role(PIMPINAN)
    rows = _results(client.get(LIST_URLS["village-elections"], {"kecamatan": sini.kecamatan_id}))
    assert {row["desa_name"] for row in rows} == {"Desa sini"}
    assert len(rows) == 2
    rows = _results(client.get(LIST_URLS["candidates"], {"head_status": "former"}))
    assert [row["id"] for row in rows] == [escorted.pk]
    rows = _results(client.get(LIST_URLS["candidates"], {"village_election": escorted.village_election_id}))
    assert [row["full_name"] for row in rows] == [escorted.full_name]


def test_units_filter_by_kind_and_bko_supply(as_role):
    factories.UnitFactory(name="Sat Brimob", kind=Unit.Kind.BRIMOB, supplies_bko=True)
    jurisdiction = factories.JurisdictionFactory(unit__name="Polsek Carenang")
    client = as_role(PIMPINAN)
    rows = _results(client.get(LIST_URLS["units"], {"supplies_bko": "true"}))
    assert [row["name"] for row in rows] == ["Sat Brimob"]
    rows = _results(client.get(LIST_URLS["units"], {"kind": "polsek", "search": "Carenang"}))
    assert [(row["name"], row["kecamatan"]) for row in rows] == [
        ("Polsek Carenang", [jurisdiction.kecamatan_id])
    ]


@pytest.mark.parametrize(("role", "sees_contact"), [(KABAG_OPS, True), (PIMPINAN, False)])
def test_officer_phone_and_account_only_for_kabag_ops(as_role, role, sees_contact):
    officer = factories.OfficerFactory(phone="0812-1111-2222")
    client = as_role(role)
    row = client.get(f"{LIST_URLS['officers']}{officer.pk}/").json()
    listed = next(r for r in _results(client.get(LIST_URLS["officers"])) if r["id"] == officer.pk)
    for data in (row, listed):
        assert ("phone" in data) is sees_contact
        assert ("username" in data) is sees_contact
    if sees_contact:
        assert row["phone"] == "0812-1111-2222"


def test_operation_lists_its_bko_contingents(as_role):
    contingent = factories.BkoContingentFactory(unit__name="Sat Brimob Polda Banten")
    rows = _results(as_role(PIMPINAN).get(LIST_URLS["operations"]))
    assert rows[0]["bko_contingents"][0]["unit_name"] == "Sat Brimob Polda Banten"
    assert rows[0]["id"] == contingent.operation_id


ROW_MAKERS = {
    "kecamatan": factories.KecamatanFactory,
    "desa": factories.DesaFactory,
    "elections": factories.ElectionFactory,
    "village-elections": factories.VillageElectionFactory,
    "candidates": factories.CandidateFactory,
    "units": factories.JurisdictionFactory,
    "officers": lambda: factories.OfficerFactory(user=factories.UserFactory()),
    "operations": factories.BkoContingentFactory,
}


# Session, user, his groups and permissions, count, page, one prefetch: never a query per row.
MAX_LIST_QUERIES = 8


@pytest.mark.parametrize("name", LIST_URLS.keys())
def test_list_query_count_is_the_same_at_5_and_50_rows(
    api_client, make_user, django_assert_max_num_queries, name
):
    url = LIST_URLS[name]
    # A session login loads the user afresh per request, as in production (no warm caches).
    api_client.force_login(make_user(KABAG_OPS))
    for rows in (5, 50):
        while api_client.get(url, {"page_size": 1}).json()["count"] < rows:
            ROW_MAKERS[name]()
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            assert len(_results(api_client.get(url))) >= rows


def test_openapi_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any undocumented field or enum collision into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for url in LIST_URLS.values():
        assert f"  {url}:" in schema
