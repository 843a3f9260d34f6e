"""Risk arithmetic: scores from indicator answers, levels from thresholds, personnel from patterns.

Pure functions over plain values (no ORM) so every rule is testable in microseconds and every
number on screen can be explained by the same code that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
BOOLEAN = "boolean"
NUMBER = "number"
PER_TPS_GROUP = "per_tps"
PER_DESA = "per_desa"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AnswerInput:
    """One indicator answer with the catalogue values it is scored against."""

    key: Hashable
    kind: str
    weight: Decimal
    full_weight_at: Decimal | None = None
    flag: bool | None = None
    number: Decimal | None = None


@dataclass(frozen=True)
class ScoreResult:
    total: Decimal
    contributions: dict[Hashable, Decimal]


def indicator_contribution(answer: AnswerInput) -> Decimal:
    """Yes/no: the full weight when yes. Number: the weight in proportion, capped at full weight."""
    if answer.kind == BOOLEAN:
        return _cents(answer.weight) if answer.flag else Decimal("0.00")
    if answer.kind == NUMBER:
        if answer.number is None or answer.number <= 0:
            return Decimal("0.00")
        if not answer.full_weight_at or answer.full_weight_at <= 0:
            raise ValueError(f"Number indicator {answer.key!r} needs a positive full_weight_at.")
        share = min(Decimal(answer.number) / Decimal(answer.full_weight_at), Decimal(1))
        return _cents(Decimal(answer.weight) * share)
    raise ValueError(f"Unknown indicator kind {answer.kind!r}.")


def score_answers(answers: Iterable[AnswerInput]) -> ScoreResult:
    """The total is the sum of the rounded contributions, so the breakdown always adds up."""
    contributions = {answer.key: indicator_contribution(answer) for answer in answers}
    total = sum(contributions.values(), Decimal("0.00"))
    return ScoreResult(total=_cents(total), contributions=contributions)


def level_for_score(score: Decimal, thresholds: Mapping[int, Decimal]) -> int:
    """The highest level whose minimum score is reached; the lowest level below every minimum."""
    if not thresholds:
        raise ValueError("No level thresholds configured.")
    reached = [level for level, minimum in thresholds.items() if score >= minimum]
    return max(reached) if reached else min(thresholds)


def village_level(*, override: int | None, computed: int | None, default: int, has_unknown: bool) -> int:
    """A village's level: Kabag Ops' override, else the computed level, else the operation's default.

    An answer "tidak diketahui" scores nothing, so a report holding one can only under-state the
    risk: its computed level never takes the village below the default it would have unassessed.
    """
    if override:
        return override
    if computed is None:
        return default
    return max(computed, default) if has_unknown else computed


def round_up_to_pairs(count: int) -> int:
    """Officers never work alone: an even number, at least 2."""
    return max(2, count + count % 2)


def required_personnel(
    *,
    form: str,
    police: int,
    tps_per_group: int | None,
    linmas: int,
    tps_count: int,
    escorted_candidates: int,
    escorts_per_candidate: int,
) -> tuple[int, int]:
    """(police needed, Linmas needed) for one village under one security pattern.

    Per TPS group: P police and L Linmas for every started group of T TPS. Per desa: P and L once.
    Police are rounded up to pairs; close escorts (pam melekat) come on top.
    """
    if form == PER_TPS_GROUP:
        if not tps_per_group or tps_per_group < 1:
            raise ValueError("A per-TPS-group pattern needs tps_per_group >= 1.")
        groups = math.ceil(max(tps_count, 0) / tps_per_group)
        police_needed, linmas_needed = groups * police, groups * linmas
    elif form == PER_DESA:
        police_needed, linmas_needed = police, linmas
    else:
        raise ValueError(f"Unknown pattern form {form!r}.")
    escorts = escorts_per_candidate * max(escorted_candidates, 0)
    return round_up_to_pairs(police_needed) + escorts, linmas_needed
