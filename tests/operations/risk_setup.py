"""Shared arrangement for the risk tests: two Polsek areas, an operation, users of every role."""

from dataclasses import dataclass
from decimal import Decimal

from operations.models import Operation, PatternSet, RiskIndicator, Unit
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.selectors.report_facts import COMMITTEE, VOTERS, known_facts
from operations.services.reports import AnswerData
from operations.services.standings import standings_refresh
from tests.factories import (
    REGISTERED_VOTERS,
    DesaFactory,
    ElectionFactory,
    JurisdictionFactory,
    OperationFactory,
    VillageElectionFactory,
)
from villages.models import VillageElection

PER_DESA = "Polres Serang Pilkades 2021 (per desa)"


@dataclass
class RiskWorld:
    operation: Operation
    unit: Unit
    other_unit: Unit
    own: list[VillageElection]
    foreign: VillageElection
    polsek: object
    other_polsek: object
    kabag: object
    pimpinan: object


def build_world(make_user, own_villages: int = 2) -> RiskWorld:
    jurisdiction = JurisdictionFactory()
    other = JurisdictionFactory()
    election = ElectionFactory()
    operation = OperationFactory(election=election, pattern_set=PatternSet.objects.get(name=PER_DESA))
    own = [
        VillageElectionFactory(election=election, desa=DesaFactory(kecamatan=jurisdiction.kecamatan))
        for _ in range(own_villages)
    ]
    foreign = VillageElectionFactory(election=election, desa=DesaFactory(kecamatan=other.kecamatan))
    standings_refresh(operation=operation)
    return RiskWorld(
        operation=operation,
        unit=jurisdiction.unit,
        other_unit=other.unit,
        own=own,
        foreign=foreign,
        polsek=make_user(POLSEK, unit=jurisdiction.unit),
        other_polsek=make_user(POLSEK, unit=other.unit),
        kabag=make_user(KABAG_OPS),
        pimpinan=make_user(PIMPINAN),
    )


def indicator(code: str) -> RiskIndicator:
    return RiskIndicator.objects.get(code=code)


def partial_answers(**values) -> list[AnswerData]:
    """partial_answers(former_head_strong_rival=True, travel_minutes=30): only those answers (a draft)."""
    result = []
    for code, value in values.items():
        ind = indicator(code)
        if ind.kind == RiskIndicator.Kind.BOOLEAN:
            result.append(AnswerData(indicator_id=ind.pk, flag=value))
        else:
            result.append(AnswerData(indicator_id=ind.pk, number=Decimal(str(value))))
    return result


# The facts a factory village records (tests.factories), as a report answers them when it agrees:
# the DPT, and the committee formed (not "not formed"). The factories record no candidate.
AS_RECORDED = {VOTERS: REGISTERED_VOTERS, COMMITTEE: False}


def answers(**values) -> list[AnswerData]:
    """A complete answer set, as submission requires: the values given, the DPT and the committee
    as a factory village records them (``AS_RECORDED``), every other active indicator answered "no"
    (yes/no) or 0 (numbers), which scores as an unanswered indicator used to."""
    result = partial_answers(**{**AS_RECORDED, **values})
    given = {a.indicator_id for a in result}
    for ind in RiskIndicator.objects.filter(is_active=True).exclude(pk__in=given):
        if ind.kind == RiskIndicator.Kind.BOOLEAN:
            result.append(AnswerData(indicator_id=ind.pk, flag=False))
        else:
            result.append(AnswerData(indicator_id=ind.pk, number=Decimal(0)))
    return result


def api_answers(*given: dict) -> list[dict]:
    """The API's answers: those given, the DPT and the committee as a factory village records them
    (``AS_RECORDED``), every other active indicator answered "no" (yes/no) or 0."""
    codes = {a["indicator"] for a in given}
    given = (*given, *(a for a in api_as_recorded() if a["indicator"] not in codes))
    codes = {a["indicator"] for a in given}
    rest = [
        {"indicator": ind.code, "flag": False}
        if ind.kind == RiskIndicator.Kind.BOOLEAN
        else {"indicator": ind.code, "number": "0"}
        for ind in RiskIndicator.objects.filter(is_active=True).exclude(code__in=codes)
    ]
    return [*given, *rest]


def api_answers_for(village_election: VillageElection, *given: dict) -> list[dict]:
    """``api_answers`` for a village whose record is not the factory's (the demo's): its facts as
    it records them (``known_facts``), unless ``given``."""
    codes = {a["indicator"] for a in given}
    facts = known_facts(village_election_ids=[village_election.pk]).get(village_election.pk, {})
    recorded = [
        {"indicator": code, "flag": fact.answer}
        if isinstance(fact.answer, bool)
        else {"indicator": code, "number": str(fact.answer)}
        for code, fact in facts.items()
        if code not in codes
    ]
    return api_answers(*given, *recorded)


def api_as_recorded() -> list[dict]:
    """The API's answers to the DPT and the committee as a factory village records them."""
    return [
        {"indicator": VOTERS, "number": str(AS_RECORDED[VOTERS])},
        {"indicator": COMMITTEE, "flag": AS_RECORDED[COMMITTEE]},
    ]


def form_answers(**given: str) -> dict:
    """The phone form's answer fields: those given (value_<code>: ...), every other active
    indicator answered "no" (yes/no) or 0 (numbers), except the DPT and the committee, facts every
    village election records: left empty as the form leaves them, they are answered from the
    record. (The factories record no candidate, so the form asks for their number.)"""
    values = {
        f"value_{ind.code}": "no" if ind.kind == RiskIndicator.Kind.BOOLEAN else "0"
        for ind in RiskIndicator.objects.filter(is_active=True).exclude(code__in=(VOTERS, COMMITTEE))
    }
    return {**values, **given}
