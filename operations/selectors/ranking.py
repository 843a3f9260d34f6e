"""The risk ranking of an operation, read from its stored VillageStanding rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from operations.models import Operation, RiskLevel, VillageStanding


def _standings(
    *,
    operation: Operation,
    kecamatan_id: int | None,
    polsek_id: int | None,
    visible_kecamatan_ids: Collection[int] | None,
    kabupaten: str | None = None,
) -> QuerySet[VillageStanding]:
    rows = VillageStanding.objects.filter(operation=operation)
    if kabupaten is not None:
        rows = rows.filter(kabupaten_code=kabupaten)
    if visible_kecamatan_ids is not None:
        rows = rows.filter(kecamatan_id__in=visible_kecamatan_ids)
    if kecamatan_id is not None:
        rows = rows.filter(kecamatan_id=kecamatan_id)
    if polsek_id is not None:
        rows = rows.filter(polsek_id=polsek_id)
    return rows


def ranking_for_operation(
    *,
    operation: Operation,
    kecamatan_id: int | None = None,
    polsek_id: int | None = None,
    level: int | None = None,
    kabupaten: str | None = None,
    visible_kecamatan_ids: Collection[int] | None = None,
) -> QuerySet[VillageStanding]:
    """Villages ranked by (level, score, registered voters), riskiest first; one query per page.

    ``visible_kecamatan_ids`` is the caller's jurisdiction (None = every kecamatan); ``kabupaten``
    a code such as ``36.04``. The rows carry the place names, so nothing is joined: a page and a
    kabupaten are index scans in ranking order.
    """
    rows = _standings(
        operation=operation,
        kecamatan_id=kecamatan_id,
        polsek_id=polsek_id,
        visible_kecamatan_ids=visible_kecamatan_ids,
        kabupaten=kabupaten,
    )
    if level is not None:
        rows = rows.filter(level=level)
    return rows.ranked()


@dataclass(frozen=True)
class LevelCounts:
    aman: int
    rawan: int
    sangat_rawan: int
    unassessed: int
    total: int

    def by_level(self) -> dict[int, int]:
        return {
            RiskLevel.AMAN: self.aman,
            RiskLevel.RAWAN: self.rawan,
            RiskLevel.SANGAT_RAWAN: self.sangat_rawan,
        }


def level_counts(
    *,
    operation: Operation,
    kecamatan_id: int | None = None,
    polsek_id: int | None = None,
    kabupaten: str | None = None,
    visible_kecamatan_ids: Collection[int] | None = None,
) -> LevelCounts:
    """Villages per level under the same filters as the ranking (the level filter aside), one query.

    Unassessed villages (no verified report, no override) are counted at the operation's level for
    them and also counted apart, so the page can say how many are not assessed.
    """
    counts = _standings(
        operation=operation,
        kecamatan_id=kecamatan_id,
        polsek_id=polsek_id,
        visible_kecamatan_ids=visible_kecamatan_ids,
        kabupaten=kabupaten,
    ).aggregate(
        aman=Count("pk", filter=Q(level=RiskLevel.AMAN)),
        rawan=Count("pk", filter=Q(level=RiskLevel.RAWAN)),
        sangat_rawan=Count("pk", filter=Q(level=RiskLevel.SANGAT_RAWAN)),
        unassessed=Count("pk", filter=Q(computed_level__isnull=True, is_overridden=False)),
        total=Count("pk"),
    )
    return LevelCounts(**counts)


# What a printed or exported ranking shows, in order; ``ranking_table`` returns these as tuples.
RANKING_TABLE_COLUMNS = (
    "desa_code",
    "desa_name",
    "kecamatan_name",
    "polsek_name",
    "level",
    "is_overridden",
    "override_reason",
    "score",
    "registered_voters",
    "tps_count",
    "escorted_candidates",
    "required_personnel",
    "assigned_personnel",
    "shortfall",
)


def ranking_table(*, operation: Operation, **filters) -> list[tuple]:
    """The whole ranking under ``ranking_for_operation``'s filters as tuples of RANKING_TABLE_COLUMNS.

    For exports: tuples, not model rows, because a national ranking has 84,000 rows and building a
    model instance for each costs four times the query.
    """
    return list(ranking_for_operation(operation=operation, **filters).values_list(*RANKING_TABLE_COLUMNS))
