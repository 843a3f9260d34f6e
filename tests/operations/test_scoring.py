from decimal import Decimal as D

import pytest

from operations import scoring
from operations.scoring import AnswerInput

THRESHOLDS = {1: D("0"), 2: D("25"), 3: D("50")}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (AnswerInput("a", "boolean", D("20"), flag=True), D("20.00")),
        (AnswerInput("a", "boolean", D("20"), flag=False), D("0.00")),
        (AnswerInput("a", "boolean", D("20"), flag=None), D("0.00")),
        (AnswerInput("n", "number", D("10"), D("60"), number=D("30")), D("5.00")),
        (AnswerInput("n", "number", D("10"), D("60"), number=D("90")), D("10.00")),
        (AnswerInput("n", "number", D("10"), D("60"), number=D("60")), D("10.00")),
        (AnswerInput("n", "number", D("10"), D("6"), number=D("1")), D("1.67")),
        (AnswerInput("n", "number", D("10"), D("60"), number=None), D("0.00")),
        (AnswerInput("n", "number", D("10"), D("60"), number=D("0")), D("0.00")),
    ],
)
def test_indicator_contribution(answer, expected):
    assert scoring.indicator_contribution(answer) == expected


def test_score_is_sum_of_rounded_contributions_and_keeps_each_one():
    result = scoring.score_answers(
        [
            AnswerInput("former_head", "boolean", D("20"), flag=True),
            AnswerInput("candidates", "number", D("10"), D("6"), number=D("1")),
            AnswerInput("candidates2", "number", D("10"), D("6"), number=D("1")),
            AnswerInput("sea", "boolean", D("10"), flag=False),
        ]
    )
    assert result.contributions == {
        "former_head": D("20.00"),
        "candidates": D("1.67"),
        "candidates2": D("1.67"),
        "sea": D("0.00"),
    }
    assert result.total == D("23.34")
    assert result.total == sum(result.contributions.values())


def test_number_indicator_without_full_weight_is_refused():
    with pytest.raises(ValueError):
        scoring.indicator_contribution(AnswerInput("n", "number", D("10"), None, number=D("3")))


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (D("0"), 1),
        (D("24.99"), 1),
        (D("25"), 2),
        (D("49.99"), 2),
        (D("50"), 3),
        (D("135"), 3),
    ],
)
def test_level_for_score(score, level):
    assert scoring.level_for_score(score, THRESHOLDS) == level


def test_level_below_every_threshold_is_lowest_level():
    assert scoring.level_for_score(D("3"), {1: D("5"), 2: D("25")}) == 1


@pytest.mark.parametrize(
    ("override", "computed", "default", "has_unknown", "expected"),
    [
        (None, None, 2, False, 2),  # never assessed: the operation's default
        (None, 1, 2, False, 1),  # every answer known: the score may lower the level
        (None, 1, 2, True, 2),  # an unknown answer: never below the default
        (None, 3, 2, True, 3),  # ... but a higher computed level stands
        (1, 3, 2, True, 1),  # Kabag Ops' written override beats everything
        (None, 1, 1, True, 1),
    ],
)
def test_village_level(override, computed, default, has_unknown, expected):
    level = scoring.village_level(
        override=override, computed=computed, default=default, has_unknown=has_unknown
    )
    assert level == expected


@pytest.mark.parametrize(
    ("form", "police", "tps_per_group", "linmas", "tps", "escorted", "per_candidate", "expected"),
    [
        # Pilkada 2020 national: aman 2 per 10 TPS, rawan 2 per 2, sangat rawan 2 per 1.
        ("per_tps", 2, 10, 20, 4, 0, 4, (2, 20)),
        ("per_tps", 2, 10, 20, 11, 0, 4, (4, 40)),
        ("per_tps", 2, 2, 4, 5, 0, 4, (6, 12)),
        ("per_tps", 2, 1, 2, 7, 0, 4, (14, 14)),
        # Odd products round up to pairs.
        ("per_tps", 3, 4, 6, 4, 0, 4, (4, 6)),
        ("per_tps", 1, 10, 2, 3, 0, 4, (2, 2)),
        # Per desa (Polres Serang 2021: 6/8/10 + 2 Linmas) ignores TPS count.
        ("per_desa", 6, None, 2, 9, 0, 4, (6, 2)),
        ("per_desa", 10, None, 2, 1, 0, 4, (10, 2)),
        ("per_desa", 15, None, 0, 3, 0, 4, (16, 0)),
        ("per_desa", 1, None, 0, 3, 0, 4, (2, 0)),
        # Escorts (pam melekat) on top, per escorted candidate.
        ("per_desa", 8, None, 2, 5, 2, 4, (16, 2)),
        ("per_tps", 2, 2, 4, 4, 1, 6, (10, 8)),
    ],
)
def test_required_personnel(form, police, tps_per_group, linmas, tps, escorted, per_candidate, expected):
    assert (
        scoring.required_personnel(
            form=form,
            police=police,
            tps_per_group=tps_per_group,
            linmas=linmas,
            tps_count=tps,
            escorted_candidates=escorted,
            escorts_per_candidate=per_candidate,
        )
        == expected
    )


def test_per_tps_pattern_without_group_size_is_refused():
    with pytest.raises(ValueError):
        scoring.required_personnel(
            form="per_tps",
            police=2,
            tps_per_group=None,
            linmas=2,
            tps_count=3,
            escorted_candidates=0,
            escorts_per_candidate=4,
        )
