"""Keep each operation's stored ranking rows (VillageStanding) in step with risk, patterns and postings.

Every write that changes a village's level, its pattern, its escorted candidates or its postings
calls one of these, so the ranking pages read stored rows instead of computing them per request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from operations import scoring
from operations.models import Assignment, Operation, RiskLevel, SecurityPattern, Stage, VillageStanding
from villages.models import Candidate, VillageElection

# Everything standings_refresh recomputes; the pair (operation, village_election) identifies the row.
REFRESHED_FIELDS = [
    "kecamatan",
    "polsek",
    "desa_code",
    "desa_name",
    "kecamatan_name",
    "kabupaten_code",
    "polsek_name",
    "level",
    "computed_level",
    "is_overridden",
    "override_reason",
    "score",
    "registered_voters",
    "tps_count",
    "escorted_candidates",
    "required_personnel",
    "required_linmas",
    "assigned_personnel",
    "shortfall",
    "last_report_at",
]


def kabupaten_code(kecamatan_code: str) -> str:
    """``36.04`` of kecamatan ``36.04.17``: the kabupaten a Polres covers."""
    return kecamatan_code[:5]


def ranking_changed(*, operation_ids: Iterable[int]) -> None:
    """Bump the operations' ranking version: cached ranking pages keyed by the old one are never served.

    Called before a ranking row is written: the operation's row lock comes first for every writer
    (the assignment service locks the operation before anything), so two writers never deadlock.
    """
    Operation.objects.filter(pk__in=list(operation_ids)).update(ranking_version=F("ranking_version") + 1)


# A village election's place, read through its desa, and the ranking-row columns made of it.
_PLACE_VALUES = (
    "desa__code",
    "desa__name",
    "desa__kecamatan_id",
    "desa__kecamatan__code",
    "desa__kecamatan__name",
    "desa__kecamatan__jurisdiction__unit_id",
    "desa__kecamatan__jurisdiction__unit__name",
)


def _place_columns(row: dict) -> dict:
    return {
        "kecamatan_id": row["desa__kecamatan_id"],
        "polsek_id": row["desa__kecamatan__jurisdiction__unit_id"],
        "desa_code": row["desa__code"],
        "desa_name": row["desa__name"],
        "kecamatan_name": row["desa__kecamatan__name"],
        "kabupaten_code": kabupaten_code(row["desa__kecamatan__code"]),
        "polsek_name": row["desa__kecamatan__jurisdiction__unit__name"] or "",
    }


PLACE_FIELDS = [
    "kecamatan",
    "polsek",
    "desa_code",
    "desa_name",
    "kecamatan_name",
    "kabupaten_code",
    "polsek_name",
]


def _patterns_by_level(operation: Operation) -> dict[int, SecurityPattern]:
    return {p.level: p for p in SecurityPattern.objects.filter(pattern_set_id=operation.pattern_set_id)}


def _count_by_village(queryset, village_election_ids: list[int] | None) -> dict[int, int]:
    if village_election_ids is not None:
        queryset = queryset.filter(village_election_id__in=village_election_ids)
    return dict(
        queryset.values("village_election_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("village_election_id", "n")
    )


@transaction.atomic
def standings_refresh(*, operation: Operation, village_election_ids: Iterable[int] | None = None) -> None:
    """Recompute the ranking rows of ``operation`` (all its villages, or only those given).

    Level: Kabag Ops' override, else the level of the latest verified report, else the level the
    operation sets for unassessed villages. Runs a fixed number of statements (the upsert is
    batched only by the database's parameter limit) whatever the number of villages.
    """
    ids = None if village_election_ids is None else list(village_election_ids)
    ranking_changed(operation_ids=[operation.pk])
    patterns = _patterns_by_level(operation)

    villages = VillageElection.objects.filter(election_id=operation.election_id)
    if ids is not None:
        villages = villages.filter(pk__in=ids)
    rows = villages.values(
        "pk",
        "tps_count",
        "registered_voters",
        *_PLACE_VALUES,
        "risk__score",
        "risk__computed_level",
        "risk__override_level",
        "risk__override_reason",
        "risk__last_report_at",
        "risk__has_unknown",
    )
    escorted = _count_by_village(
        Candidate.objects.filter(needs_close_escort=True).exclude(status=Candidate.Status.REJECTED), ids
    )
    assigned = _count_by_village(Assignment.objects.filter(operation=operation, stage=Stage.VOTING), ids)

    standings = []
    for row in rows:
        computed_level = row["risk__computed_level"]
        override_level = row["risk__override_level"]
        level = scoring.village_level(
            override=override_level,
            computed=computed_level,
            default=operation.unassessed_level,
            has_unknown=bool(row["risk__has_unknown"]),
        )
        pattern = patterns.get(level)
        if pattern is None:
            raise ValidationError(
                _("Set pola %(set)s belum memiliki pola untuk tingkat %(level)s.")
                % {"set": operation.pattern_set, "level": RiskLevel(level).label}
            )
        escorted_count = escorted.get(row["pk"], 0)
        police, linmas = scoring.required_personnel(
            form=pattern.form,
            police=pattern.police,
            tps_per_group=pattern.tps_per_group,
            linmas=pattern.linmas,
            tps_count=row["tps_count"],
            escorted_candidates=escorted_count,
            escorts_per_candidate=operation.escorts_per_candidate,
        )
        assigned_count = assigned.get(row["pk"], 0)
        standings.append(
            VillageStanding(
                operation=operation,
                village_election_id=row["pk"],
                **_place_columns(row),
                level=level,
                computed_level=computed_level,
                is_overridden=override_level is not None,
                override_reason=(row["risk__override_reason"] or "") if override_level is not None else "",
                score=row["risk__score"] or 0,
                registered_voters=row["registered_voters"],
                tps_count=row["tps_count"],
                escorted_candidates=escorted_count,
                required_personnel=police,
                required_linmas=linmas,
                assigned_personnel=assigned_count,
                shortfall=max(police - assigned_count, 0),
                last_report_at=row["risk__last_report_at"],
            )
        )
    VillageStanding.objects.bulk_create(
        standings,
        update_conflicts=True,
        unique_fields=["operation", "village_election"],
        update_fields=REFRESHED_FIELDS,
    )


@transaction.atomic
def standings_refresh_assigned(*, operation: Operation, village_election_ids: Iterable[int]) -> None:
    """Recount the voting-day postings and the shortfall of the given villages (one UPDATE)."""
    voting_postings = (
        Assignment.objects.filter(
            operation=operation, stage=Stage.VOTING, village_election_id=OuterRef("village_election_id")
        )
        .order_by()
        .values("village_election_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assigned = Coalesce(Subquery(voting_postings, output_field=IntegerField()), Value(0))
    ranking_changed(operation_ids=[operation.pk])
    # One statement: the table's check constraint ties shortfall to the count, so both change together.
    VillageStanding.objects.filter(
        operation=operation, village_election_id__in=list(village_election_ids)
    ).update(
        assigned_personnel=assigned,
        shortfall=Greatest(F("required_personnel") - assigned, Value(0)),
    )


def standings_refresh_for_village_elections(*, village_election_ids: Iterable[int]) -> None:
    """Refresh those villages in every operation that covers their election (after a verify/override)."""
    ids = list(village_election_ids)
    election_ids = VillageElection.objects.filter(pk__in=ids).values("election_id")
    for operation in Operation.objects.filter(election_id__in=election_ids):
        standings_refresh(operation=operation, village_election_ids=ids)


def standings_refresh_for_pattern_set(*, pattern_set_id: int) -> None:
    """After the patterns of a set change, every operation measured with it is recomputed."""
    for operation in Operation.objects.filter(pattern_set_id=pattern_set_id):
        standings_refresh(operation=operation)


@transaction.atomic
def standings_refresh_places(
    *,
    desa_ids: Iterable[int] = (),
    kecamatan_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
) -> int:
    """Copy renamed or moved places into the ranking rows they appear in; returns the rows touched.

    A desa moved to another kecamatan, a kecamatan handed to another Polsek, a renamed desa,
    kecamatan or Polsek: only the place columns change, so no level or need is recomputed (and a
    pattern set missing a level cannot make an import of names fail).
    """
    rows = VillageStanding.objects.filter(
        Q(village_election__desa_id__in=list(desa_ids))
        | Q(kecamatan_id__in=list(kecamatan_ids))
        | Q(village_election__desa__kecamatan_id__in=list(kecamatan_ids))
        | Q(polsek_id__in=list(unit_ids))
        | Q(village_election__desa__kecamatan__jurisdiction__unit_id__in=list(unit_ids))
    ).values_list("pk", "operation_id", "village_election_id")
    found = list(rows)
    if not found:
        return 0
    ranking_changed(operation_ids={operation_id for _pk, operation_id, _ve in found})
    places = {
        row["pk"]: row
        for row in VillageElection.objects.filter(pk__in={ve for _pk, _op, ve in found}).values(
            "pk", *_PLACE_VALUES
        )
    }
    standings = [
        VillageStanding(pk=pk, **_place_columns(places[village_election_id]))
        for pk, _operation_id, village_election_id in found
    ]
    VillageStanding.objects.bulk_update(standings, PLACE_FIELDS, batch_size=500)
    return len(standings)
