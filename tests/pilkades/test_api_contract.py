"""The API says what it accepts and accepts what it says: the schema's patterns, the filters' and the
page size's values, and the fields of every write body. Anything else is a 400 naming the field."""

import inspect
import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from operations.models import RiskIndicator
from operations.roles import KABAG_OPS
from pilkades.serializers import BuiltOnce, NaturalKeys, StrictInput
from tests.conftest import TEST_PASSWORD
from tests.operations.risk_setup import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# --- schema ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("IndicatorRequest", "weight"),
        ("PatchedIndicatorRequest", "weight"),
        ("IndicatorRequest", "full_weight_at"),
        ("AnswerInputRequest", "number"),
    ],
)
def test_decimal_pattern_admits_only_what_the_field_accepts(schema, component, field):
    pattern = schema["components"]["schemas"][component]["properties"][field]["pattern"]
    for refused in ["", "-1", "-0.5", ".", "1.234", "abc"]:
        assert re.search(pattern, refused) is None, (pattern, refused)
    for accepted in ["0", "1", "12.5", "3.25"]:
        assert re.search(pattern, accepted), (pattern, accepted)


def test_signed_decimals_keep_their_sign_in_the_pattern(schema):
    # A field without a lower bound (a computed score) may be negative: the pattern says so.
    pattern = schema["components"]["schemas"]["AnswerOutput"]["properties"]["contribution"]["pattern"]
    assert re.search(pattern, "-1.5")


def test_order_file_format_is_one_of_three(schema):
    operation = schema["paths"]["/api/v1/operations/{operation_id}/order.{file_format}"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    file_format = parameters["file_format"]
    assert sorted(file_format["enum"]) == ["csv", "pdf", "xlsx"]
    for refused in ["pdfx", "xpdf", "csvx", "xlsxx"]:
        assert "pattern" not in file_format or re.search(file_format["pattern"], refused) is None
    assert parameters["operation_id"]["type"] == "integer"


def test_operation_ids_are_plain_identifiers(schema):
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9_]*", i)] == []
    assert "v1_operations_order_retrieve" in ids


def test_public_token_endpoint_declares_no_security(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert operation.get("security", []) in ([], [{}])


# --- filters ---------------------------------------------------------------------------------------

BOOLEAN_FILTERS = [
    ("/api/v1/risk-indicators/", "is_active"),
    ("/api/v1/officers/", "is_active"),
    ("/api/v1/desa/", "sea_access_only"),
    ("/api/v1/candidates/", "needs_close_escort"),
    ("/api/v1/units/", "supplies_bko"),
]


@pytest.mark.parametrize(("path", "name"), BOOLEAN_FILTERS)
@pytest.mark.parametrize("value", ["-1", "maybe", "2", "yes please"])
def test_boolean_filter_with_a_value_that_is_no_boolean_is_a_400(api_client, world, path, name, value):
    response = _as(api_client, world.kabag).get(path, {name: value})
    assert response.status_code == 400, response.content[:200]
    assert list(response.json()["errors"]) == [name]


@pytest.mark.parametrize(("path", "name"), BOOLEAN_FILTERS)
@pytest.mark.parametrize("value", ["true", "false", "True", "1", "0", ""])
def test_boolean_filter_accepts_booleans_and_empty(api_client, world, path, name, value):
    assert _as(api_client, world.kabag).get(path, {name: value}).status_code == 200


def test_boolean_filter_filters(api_client, world):
    RiskIndicator.objects.filter(code="split_camps").update(is_active=False)
    client = _as(api_client, world.kabag)
    inactive = client.get("/api/v1/risk-indicators/", {"is_active": "false"}).json()["results"]
    assert [i["code"] for i in inactive] == ["split_camps"]


def test_every_generated_or_declared_filter_set_is_strict():
    """The filter sets DRF builds from filterset_fields and the declared ones: no lenient booleans."""
    from django_filters import BooleanFilter

    from pilkades.filters import StrictBooleanFilter
    from tests.pilkades.test_api_errors import _api_views

    lenient = []
    for route, callback in _api_views():
        view_class = getattr(callback, "cls", None)
        if view_class is None or not (
            getattr(view_class, "filterset_class", None) or getattr(view_class, "filterset_fields", None)
        ):
            continue
        view = view_class()
        view.request = None
        for backend in view_class.filter_backends:
            if not hasattr(backend, "get_filterset_class"):
                continue
            queryset = view_class.queryset
            if queryset is None:
                queryset = view_class.serializer_class.Meta.model.objects.all()
            filterset_class = backend().get_filterset_class(view, queryset)
            for name, filter_ in filterset_class.base_filters.items():
                if isinstance(filter_, BooleanFilter) and not isinstance(filter_, StrictBooleanFilter):
                    lenient.append(f"{route} {name}")
    assert lenient == []


# --- pagination ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["null", "0", "-5", "abc", "1.5"])
def test_invalid_page_size_is_a_400(api_client, world, value):
    response = _as(api_client, world.kabag).get("/api/v1/desa/", {"page_size": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("", 50), ("100000", 500)])
def test_valid_page_size_is_applied_and_capped(api_client, world, value, expected):
    from tests.factories import DesaFactory

    DesaFactory.create_batch(2)
    response = _as(api_client, world.kabag).get("/api/v1/desa/", {"page_size": value})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(expected, response.json()["count"])


# --- write bodies ----------------------------------------------------------------------------------


def _report_body(world, **extra):
    return {"village_election": world.own[0].pk, "narrative": "", **extra}


def test_a_misspelt_field_is_refused_not_ignored(api_client, world):
    response = _as(api_client, world.polsek).post(
        "/api/v1/risk-reports/", _report_body(world, sumbit=True), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sumbit"]


def test_a_misspelt_field_in_a_nested_answer_is_refused(api_client, world):
    body = _report_body(world, answers=[{"indicator": "split_camps", "flagg": True}])
    response = _as(api_client, world.polsek).post("/api/v1/risk-reports/", body, format="json")
    assert response.status_code == 400
    answers = response.json()["errors"]["answers"]  # per answer, by position
    first = answers["0"] if isinstance(answers, dict) else answers[0]
    assert list(first) == ["flagg"]


@pytest.mark.parametrize("field", ["id", "status", "author", "score"])
def test_a_read_only_field_in_a_write_is_refused(api_client, world, field):
    response = _as(api_client, world.polsek).post(
        "/api/v1/risk-reports/", _report_body(world, **{field: 1}), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_a_read_only_field_of_a_model_serializer_is_refused(api_client, world):
    indicator = RiskIndicator.objects.get(code="split_camps")
    response = _as(api_client, world.kabag).patch(
        f"/api/v1/risk-indicators/{indicator.pk}/", {"id": indicator.pk + 100, "label": "X"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["id"]
    indicator.refresh_from_db()
    assert indicator.label != "X"


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"),
    [
        ("polsek", "patch", "report", {"narrativ": "x"}, "narrativ"),
        ("kabag", "post", "return", {"reason": "x", "reson": "y"}, "reson"),
        ("kabag", "post", "override", {"level": 3, "reason": "x", "levle": 2}, "levle"),
        ("kabag", "post", "proposal", {"stage": "voting", "exclude_bk": True}, "exclude_bk"),
        ("kabag", "post", "assignment", {"officer_name": "X"}, "officer_name"),
        (
            "kabag",
            "post",
            "indicator",
            {"code": "x1", "label": "X", "kind": "boolean", "weigth": "1"},
            "weigth",
        ),
    ],
)
def test_every_write_refuses_unknown_fields(api_client, world, who, method, path, body, field):
    from operations.services.reports import report_create

    # Bodies are read before the report's state is looked at: a draft serves every action.
    report = report_create(village_election=world.own[0], author=world.polsek, answers=[])
    urls = {
        "report": f"/api/v1/risk-reports/{report.pk}/",
        "return": f"/api/v1/risk-reports/{report.pk}/return/",
        "override": f"/api/v1/village-elections/{world.own[0].pk}/override/",
        "proposal": f"/api/v1/operations/{world.operation.pk}/proposal/",
        "assignment": "/api/v1/assignments/",
        "indicator": "/api/v1/risk-indicators/",
    }
    response = getattr(_as(api_client, getattr(world, who)), method)(urls[path], body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]


def test_token_request_with_a_misspelt_field_is_refused_not_ignored(api_client, make_user):
    make_user(KABAG_OPS, username="kabag.kontrak", password=TEST_PASSWORD)
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "kabag.kontrak", "password": TEST_PASSWORD, "pasword": TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert "pasword" in response.json()["errors"]


def test_a_nul_byte_in_any_field_is_a_400_naming_it(api_client, make_user):
    # PostgreSQL refuses NUL even in a lookup by natural key: this was a 500 there.
    api_client.force_authenticate(make_user(KABAG_OPS))
    response = api_client.post(
        "/api/v1/bko-contingents/", {"unit_name": "Sat Brimob\x00", "expected_strength": 10}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"]["unit_name"] == ["Karakter NUL tidak diperbolehkan."]


def _model_serializers():
    from rest_framework import serializers

    import pilkades.urls  # noqa: F401  every API module, so every serializer class, is imported

    found, pending = [], [serializers.ModelSerializer]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in {"operations", "villages", "election_day", "webhooks", "jobs"}:
                found.append(sub)
    return found


def test_every_choice_a_model_allows_blank_is_documented_blank_in_answers_too():
    # DRF drops allow_blank from read-only fields, so the schema listed only the choices while the
    # answer held "" (a first progress step's previous_stage): a client validating answers rejected it.
    from rest_framework import serializers

    undocumented = []
    for serializer_class in _model_serializers():
        model = serializer_class.Meta.model
        for name, field in serializer_class().fields.items():
            if not isinstance(field, serializers.ChoiceField) or "." in (field.source or ""):
                continue
            model_field = next((f for f in model._meta.concrete_fields if f.name == field.source), None)
            text = model_field is not None and model_field.get_internal_type() in {"CharField", "TextField"}
            if text and model_field.blank and not field.allow_blank:
                undocumented.append(f"{serializer_class.__name__}.{name}")
    assert _model_serializers(), "no serializer found"
    assert undocumented == []


def test_a_first_progress_steps_empty_previous_stage_is_in_the_schema(schema):
    previous = schema["components"]["schemas"]["ProgressStep"]["properties"]["previous_stage"]
    admitted = [
        value
        for option in previous.get("oneOf", previous.get("allOf", []))
        for value in schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]["enum"]
    ]
    assert "" in admitted and "voting" in admitted


def test_no_component_is_described_by_a_shared_mixins_notes_for_developers(schema):
    # drf-spectacular takes the first docstring up a serializer's classes: StrictInput's and
    # BuiltOnce's notes ("DRF ignores unknown keys", "built once per class") described 80 components.
    notes = [inspect.getdoc(mixin) for mixin in (StrictInput, BuiltOnce, NaturalKeys)]
    described = {
        name: component.get("description", "") for name, component in schema["components"]["schemas"].items()
    }
    leaked = sorted(name for name, text in described.items() if any(note and note in text for note in notes))
    assert leaked == []
    assert described["ApiError"] == "The body of every 4xx answer of the API."  # a class's own doc stays
