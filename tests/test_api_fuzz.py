"""Schema fuzzing: schemathesis against the live app, every operation, every role's token.

The app runs on 127.0.0.1 (pytest-django's live server) over the test database with the demo
loaded. For each role schemathesis generates valid and invalid requests from /api/schema/ and
checks each answer: no 5xx, a documented status code, content type, headers and body. Path ids
are drawn both freely and from rows that exist, so the 200 bodies are checked too, not only 404s.
Each operation is also called plainly (no filters, no body) on real rows, the way a client starts.
Write requests run too, against the test database only. Each role is a test of its own over its own
copy of the demo (so xdist spreads them over its workers, and one role's writes do not change what
another reads). The number of cases per role goes to test-artifacts/fuzz/<role>.txt and to the
terminal summary.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pytest_django.live_server_helper import LiveServer
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from operations.demo import demo_load
from operations.demo_reports import demo_load_reports
from operations.models import (
    AllocationProposal,
    Assignment,
    Officer,
    Operation,
    RiskIndicator,
    RiskReport,
    Unit,
)
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.services.proposals import proposal_apply, proposal_create
from operations.services.tokens import person_token_create, token_create
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation, role and generation mode: the whole run stays near four minutes of CI time.
# Anonymous calls stop at authentication before any input is read, so a few cover them.
# PILKADES_FUZZ_SCALE=10 multiplies them for a long hunt outside CI.
SCALE = max(1, int(os.environ.get("PILKADES_FUZZ_SCALE", "1")))
EXAMPLES = {GenerationMode.POSITIVE: 6 * SCALE, GenerationMode.NEGATIVE: 4 * SCALE}
ANONYMOUS_EXAMPLES = 2 * SCALE
SUMMARY_DIR = Path(__file__).resolve().parent.parent / "test-artifacts" / "fuzz"

# Demo logins by role; the service account (a tool's, with Pimpinan rights) is made here.
ROLE_USERS = {
    "anonim": None,
    "Pimpinan": "kapolres",
    "Polsek A": "polsek.carenang",
    "Polsek B": "polsek.tirtayasa",
    "akun layanan": "layanan.dashboard",
    "Kabag Ops": "kabagops",
}

# Collection segment after /api/v1/ -> the model whose rows fill its {id} (and {operation_id}).
ROWS = {
    "assignments": Assignment,
    "candidates": Candidate,
    "desa": Desa,
    "elections": Election,
    "kecamatan": Kecamatan,
    "officers": Officer,
    "operations": Operation,
    "proposals": AllocationProposal,
    "risk-indicators": RiskIndicator,
    "risk-reports": RiskReport,
    "units": Unit,
    "village-elections": VillageElection,
}


ENDING_PATHS = ("/auth/token/revoke/", "/close/")


@dataclass
class RoleRun:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _token(role: str) -> str | None:
    username = ROLE_USERS[role]
    if username is None:
        return None
    if role == "akun layanan":
        return token_create(username=username, role=PIMPINAN).key
    return person_token_create(user=get_user_model().objects.get(username=username)).key


def _seed_deployment() -> None:
    """Applied postings and one open proposal, so their endpoints answer with rows, not only 404s."""
    operation = Operation.objects.get()
    kabag_ops = get_user_model().objects.get(username=ROLE_USERS["Kabag Ops"])
    proposal_apply(proposal=proposal_create(operation=operation, by=kabag_ops), by=kabag_ops)
    proposal_create(operation=operation, by=kabag_ops)


def _sample_ids(model) -> list[int]:
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    return sorted({ids[0], ids[len(ids) // 2], ids[-1]})


def _path_values(operation, parameter) -> list:
    if parameter.name in ("id", "operation_id"):
        model = ROWS.get(operation.path.removeprefix("/api/v1/").split("/", 1)[0])
        return _sample_ids(model) if model is not None else []
    return parameter.definition.get("schema", {}).get("enum", [])


def _plain_cases(operation) -> list:
    """The request a client makes first: no filters, no body, ids of rows that exist.

    Generation seldom draws it (it fills in optional filters), yet it returns the fullest pages."""
    if operation.definition.raw.get("requestBody", {}).get("required"):
        return []
    choices = [
        [(parameter.name, value) for value in _path_values(operation, parameter)]
        for parameter in operation.path_parameters
    ]
    return [operation.Case(path_parameters=dict(combination)) for combination in product(*choices)]


def _strategy(operation, mode):
    """Free path parameters, plus the same operation pointed at rows that exist."""
    strategies = [operation.as_strategy(generation_mode=mode)]
    path = operation.path.removeprefix("/api/v1/")
    model = ROWS.get(path.split("/", 1)[0])
    names = {parameter.name for parameter in operation.path_parameters}
    if model is not None and names & {"id", "operation_id"}:
        for pk in _sample_ids(model):
            fixed = dict.fromkeys(names & {"id", "operation_id"}, pk)
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    return st.one_of(strategies)


def _fuzz_operation(
    label: str, strategy, *, examples: int, base_url: str, headers: dict, run: RoleRun
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=strategy)
    def fuzz(case):
        _check(case, base_url=base_url, headers=headers, run=run)

    try:
        fuzz()
    except (Exception, FailureGroup) as exc:  # one failing operation must not hide the others
        run.failures.append(f"{label}\n{exc}")


# schemathesis waits 10 s by default; the Sprin PDF on a machine shared with other work took longer
# once (a timeout, not an error answer). A hung request still fails the run, just later.
READ_TIMEOUT_SECONDS = 30


def _check(case, *, base_url: str, headers: dict, run: RoleRun) -> None:
    run.cases += 1
    # No shared session: Django's test server answers a kept-alive connection ~40 ms late
    # (delayed ACK), a fresh connection in ~5 ms.
    response = case.call(base_url=base_url, headers=headers, timeout=READ_TIMEOUT_SECONDS)
    run.statuses[response.status_code] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


@pytest.fixture
def api_server(settings):
    """The app on 127.0.0.1 and a free port, over the test database (not "localhost": resolving it
    tries IPv6 first and makes every request ten times slower)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_api_answers_every_generated_request_as_documented(api_server, caplog, record_property, role):
    # 4xx answers are the expected outcome of most generated requests; only errors are worth logging.
    caplog.set_level(logging.ERROR, logger="django.request")
    started = time.monotonic()
    demo_load()
    demo_load_reports()
    _seed_deployment()
    token = _token(role)
    schema = schemathesis.openapi.from_url(f"{api_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30, "the schema lost its operations"
    # Operations that end the caller's token or the operation itself go last, plain case and
    # generated ones alike, so they do not turn every later case into a 401 or a 409.
    lasting = [operation for operation in operations if not operation.path.endswith(ENDING_PATHS)]
    ending = [operation for operation in operations if operation.path.endswith(ENDING_PATHS)]

    headers = {"Authorization": f"Token {token}"} if token else {}
    run = RoleRun()
    for batch, operations_of_batch in enumerate((lasting, ending)):
        if batch and token and run.statuses[401]:
            run.failures.append(f"{run.statuses[401]} answers of 401 with a valid token")
        for case in (case for operation in operations_of_batch for case in _plain_cases(operation)):
            try:
                _check(case, base_url=api_server.url, headers=headers, run=run)
            except (Exception, FailureGroup) as exc:
                run.failures.append(f"{case.operation.label} [plain {case.path_parameters}]\n{exc}")
        for operation, mode in product(operations_of_batch, EXAMPLES):
            _fuzz_operation(
                f"{operation.label} [{mode.value}]",
                _strategy(operation, mode),
                examples=EXAMPLES[mode] if token else ANONYMOUS_EXAMPLES,
                base_url=api_server.url,
                headers=headers,
                run=run,
            )

    line = (
        f"{role}: {run.cases} cases over {len(operations)} operations in {time.monotonic() - started:.0f}s, "
        f"{len(run.failures)} failing, statuses "
        + ", ".join(f"{code}x{count}" for code, count in sorted(run.statuses.items()))
    )
    SUMMARY_DIR.mkdir(parents=True, exist_ok=True)
    (SUMMARY_DIR / f"{role.replace(' ', '-')}.txt").write_text("\n".join([line, *run.failures]) + "\n")
    record_property("fuzz_summary", line)
    assert not run.failures, "\n".join([line, *run.failures[:20]])


# What the fuzzing found, pinned so it stays fixed even where the generated cases change.


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/village-elections/?kecamatan=-1398131240103397818368",
        "/api/v1/assignments/?unit=99999999999999999999999",
    ],
)
def test_id_filter_beyond_the_integer_range_is_a_400_not_a_500(api_client, make_user, url):
    api_client.force_authenticate(make_user(KABAG_OPS))
    response = api_client.get(url)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {url.split("?")[1].split("=")[0]}


@pytest.mark.parametrize(
    ("component", "field"),
    [("ReportOutput", "decided_by"), ("VillageRisk", "override_by"), ("Standing", "polsek_name")],
)
def test_user_and_unit_names_that_can_be_empty_are_documented_nullable(component, field):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


@pytest.mark.parametrize("role", [PIMPINAN, POLSEK, KABAG_OPS])
def test_schema_is_the_same_whoever_asks(api_client, make_user, role):
    # The fuzzing loads it once; an answer shaped by the caller must still match it.
    anonymous = api_client.get("/api/schema/?format=json").json()
    api_client.force_authenticate(make_user(role))
    assert api_client.get("/api/schema/?format=json").json() == anonymous
