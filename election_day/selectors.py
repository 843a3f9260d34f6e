"""Election-day reads: an officer's postings, the Posko board, the board's version stamp.

The board is a fixed number of queries whatever the size of the operation (counts are GROUP BYs,
lists are bounded), so it can be rebuilt after every change; between changes the client gets 304s
from the stamp alone (one indexed row read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from election_day.dispatch import MIN_TEAM, Available, Group, Proposal, choose_team
from election_day.geo import Point, desa_point, distances_km, unit_point
from election_day.models import (
    MARKS,
    BoardVersion,
    CheckIn,
    Dispatch,
    Incident,
    IncidentPhoto,
    ProgressStage,
    ProgressStep,
    StageWindow,
    VillageProgress,
)
from operations.models import (
    Assignment,
    Duty,
    Jurisdiction,
    Officer,
    Operation,
    Stage,
    Unit,
    VillageStanding,
)
from operations.ranks import Pangkat
from villages.models import VillageElection

FEED_SIZE = 50
LATE_LIST_SIZE = 100


@dataclass(frozen=True)
class BoardStamp:
    operation_id: int
    version: int
    assignment_version: int
    ranking_version: int


def board_stamp(operation_id: int) -> BoardStamp | None:
    """What the board depends on, in one indexed read: election-day writes, postings, levels."""
    op, bv = Operation._meta, BoardVersion._meta
    quote = connection.ops.quote_name
    sql = (
        f"SELECT o.{quote('assignment_version')}, o.{quote('ranking_version')}, b.{quote('version')} "
        f"FROM {quote(op.db_table)} o LEFT JOIN {quote(bv.db_table)} b "
        f"ON b.{quote('operation_id')} = o.{quote('id')} "
        f"WHERE o.{quote('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [operation_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return BoardStamp(operation_id, row[2] or 0, row[0], row[1])


def current_stage(*, operation: Operation, now: datetime) -> tuple[str, StageWindow | None]:
    """The stage whose window has started most recently (voting day before any window starts)."""
    window = (
        StageWindow.objects.filter(operation=operation, starts_at__lte=now).order_by("-starts_at").first()
    )
    if window is None:
        return Stage.VOTING, StageWindow.objects.filter(operation=operation, stage=Stage.VOTING).first()
    return window.stage, window


def my_assignments(*, user, operation: Operation | None = None) -> QuerySet[Assignment]:
    """The postings of the user's officer (and, for a team leader, the rest of his teams)."""
    arrived = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.ARRIVED)
    finished = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.FINISHED)
    own = Assignment.objects.filter(officer__user=user, operation__status=Operation.Status.ACTIVE)
    if operation is not None:
        own = own.filter(operation=operation)
    teams = Q(pk__in=own.values("pk")) | Q(
        village_election__isnull=False,
        operation__in=own.values("operation"),
        stage__in=own.values("stage"),
        village_election__in=own.exclude(village_election__isnull=True).values("village_election"),
    )
    return (
        Assignment.objects.filter(teams)
        .select_related("operation", "officer", "village_election__desa", "kecamatan", "candidate")
        .annotate(has_arrived=Exists(arrived), has_finished=Exists(finished))
        .order_by("operation_id", "stage", "village_election_id", "-officer__rank", "officer__nrp")
    )


def incidents_visible(*, visible_kecamatan_ids) -> QuerySet[Incident]:
    rows = Incident.objects.select_related(
        "category", "village_election__desa__kecamatan", "reported_by__officer", "operation"
    )
    if visible_kecamatan_ids is not None:
        rows = rows.in_kecamatan(visible_kecamatan_ids)
    return rows


def _person(user) -> str:
    if user is None:
        return ""
    officer = getattr(user, "officer", None)
    return f"{_label(Pangkat, officer.rank)} {officer.name}" if officer else user.get_username()


def incident_row(incident: Incident) -> dict:
    desa = incident.village_election.desa
    return {
        "id": incident.pk,
        "state": incident.state,
        "state_label": _label(Incident.State, incident.state),
        "severity": incident.severity,
        "category": incident.category.name,
        "desa": desa.name,
        "kecamatan": desa.kecamatan.name,
        "village_election": incident.village_election_id,
        "description": incident.description,
        "reported_at": incident.reported_at.isoformat(),
        "reported_by": _person(incident.reported_by),
        "acknowledged_by": _person(incident.acknowledged_by),
        "resolved_by": _person(incident.resolved_by),
        "resolution_note": incident.resolution_note,
        "photos": incident.photo_count,
        "dispatched": incident.dispatch_count,
    }


def _label(choices, value) -> str:
    """A choice's label through its enum. Not get_FOO_display(): that hashes, and so translates,
    every label of the field's choices on each call (some 40 ranks per officer on the board)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _count_of(model) -> Coalesce:
    """Rows of ``model`` pointing at the outer incident, as a subquery (0 when none)."""
    rows = model.objects.filter(incident=OuterRef("pk")).order_by().values("incident")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def board(
    *,
    operation: Operation,
    now: datetime | None = None,
    feed_size: int | None = FEED_SIZE,
    with_villages: bool = True,
) -> dict:
    """Everything the Posko board shows, as plain data (the page's script and the API share it).

    The Lapsit asks for every incident (``feed_size=None``) and no village list.
    """
    now = now or timezone.now()
    stage, window = current_stage(operation=operation, now=now)
    postings = Assignment.objects.filter(operation=operation, stage=stage)
    arrived = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.ARRIVED)
    finished = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.FINISHED)
    presence = postings.aggregate(
        planned=Count("pk"),
        present=Count("pk", filter=Q(Exists(arrived)) & ~Q(Exists(finished))),
        finished=Count("pk", filter=Q(Exists(finished))),
    )

    total_villages = VillageStanding.objects.filter(operation=operation).count()
    per_stage = dict(
        VillageProgress.objects.filter(operation=operation)
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("stage", "n")
    )
    stages = [
        {"stage": s.value, "label": str(s.label), "count": per_stage.get(s.value, 0)} for s in ProgressStage
    ]
    not_started = max(total_villages - sum(per_stage.values()), 0)

    incidents = Incident.objects.filter(operation=operation)
    open_by_severity = dict(
        incidents.open().values("severity").annotate(n=Count("pk")).order_by().values_list("severity", "n")
    )
    feed = list(
        incidents.select_related(
            "category",
            "village_election__desa__kecamatan",
            "reported_by__officer",
            "acknowledged_by__officer",
            "resolved_by__officer",
        )
        # Counted by correlated subqueries, not joins: two joined counts would GROUP BY every column
        # of the five tables selected with the incident (three times slower with 2,000 postings).
        .annotate(photo_count=_count_of(IncidentPhoto), dispatch_count=_count_of(Dispatch))
        .order_by("-reported_at", "-pk")[:feed_size]
    )
    closed = incidents.filter(state=Incident.State.RESOLVED).count()

    late, late_total, late_since = [], 0, None
    grace = timedelta(minutes=settings.CHECKIN_GRACE_MINUTES)
    if window is not None and now >= window.starts_at + grace and window.stage == stage:
        late_since = window.starts_at + grace
        missing = postings.exclude(Exists(arrived))
        late_total = missing.count()
        # Plain values, not postings with four related rows each: up to 500 model instances a refresh.
        late = [
            {
                "officer": f"{_label(Pangkat, rank)} {name}",
                "nrp": nrp,
                "duty": _label(Duty, duty),
                "place": desa if village_id else (kecamatan or ""),
            }
            for rank, name, nrp, duty, village_id, desa, kecamatan in missing.order_by(
                "village_election__desa__name", "-officer__rank"
            ).values_list(
                "officer__rank",
                "officer__name",
                "officer__nrp",
                "duty",
                "village_election_id",
                "village_election__desa__name",
                "kecamatan__name",
            )[:LATE_LIST_SIZE]
        ]

    progress = dict(
        VillageProgress.objects.filter(operation=operation).values_list("village_election_id", "stage")
    )
    worst_open = dict(
        incidents.open()
        .values("village_election_id")
        .annotate(worst=Count("pk"))
        .order_by()
        .values_list("village_election_id", "worst")
    )
    severity_open = {}
    for ve_id, severity in incidents.open().values_list("village_election_id", "severity"):
        severity_open[ve_id] = max(severity, severity_open.get(ve_id, 0))
    villages = []
    for standing in (
        ()
        if not with_villages
        else (
            VillageStanding.objects.filter(operation=operation)
            .select_related("village_election__desa")
            .order_by("desa_code")
        )
    ):
        point = desa_point(standing.village_election.desa)
        villages.append(
            {
                "id": standing.village_election_id,
                "code": standing.desa_code,  # the key of the board's map (operations' map data)
                "desa": standing.desa_name,
                "kecamatan": standing.kecamatan_name,
                "level": standing.level,
                "stage": progress.get(standing.village_election_id, ""),
                "open_incidents": worst_open.get(standing.village_election_id, 0),
                "worst_severity": severity_open.get(standing.village_election_id, 0),
                "lat": point[0] if point else None,
                "lng": point[1] if point else None,
            }
        )

    return {
        "operation": {"id": operation.pk, "name": operation.name, "status": operation.status},
        "generated_at": now.isoformat(),
        "stage": {
            "stage": stage,
            "label": str(Stage(stage).label),
            "starts_at": window.starts_at.isoformat() if window else None,
        },
        "personnel": {
            "planned": presence["planned"],
            "present": presence["present"],
            "finished": presence["finished"],
        },
        "villages_total": total_villages,
        "villages_not_started": not_started,
        "villages_per_stage": stages,
        "incidents_open": {str(level): open_by_severity.get(level, 0) for level in (1, 2, 3)},
        "incidents_closed": closed,
        "incidents": [incident_row(i) for i in feed],
        "late": {
            "since": late_since.isoformat() if late_since else None,
            "total": late_total,
            "officers": late,
        },
        "villages": villages,
    }


# --- dispatch --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchPool:
    stage: str
    pool: list[Available]
    groups: dict[str, Group]
    needs_polairud: bool


def _origin(assignment: Assignment) -> tuple[Point | None, str]:
    """Where a posted officer leaves from: his village, his patrol's kecamatan, else his Mako."""
    if assignment.village_election_id:
        desa = assignment.village_election.desa
        return desa_point(desa), desa.name
    if assignment.kecamatan_id:
        kecamatan = assignment.kecamatan
        point = desa_point(kecamatan) or unit_point(assignment.officer.unit)
        return point, kecamatan.name
    unit = assignment.officer.unit
    return unit_point(unit), unit.name


def _may_go(officer: Officer, *, village: VillageElection, area_polsek: int | None) -> bool:
    """Whether an officer may be sent to the village: never a commander (issue 13's rule, as
    ``Officer.objects.for_village_duty``), a resident of the desa, or a Polsek officer outside
    his Polsek's area (the posting rules would refuse the last two)."""
    if officer.kept_off_village_duty or officer.home_desa_id == village.desa_id:
        return False
    return not (officer.unit.kind == Unit.Kind.POLSEK and officer.unit_id != area_polsek)


def dispatch_pool(*, incident: Incident, now: datetime | None = None) -> DispatchPool:
    """Everyone who could be sent to an incident now, grouped, with the distance to its village.

    Reserve and patrols of the current stage; village guards of other villages above their need
    (voting stage, where needs are kept), never from a village with an open incident. Left out:
    officers who finished duty, commanders (Kapolsek, pimpinan, staff, Kompol and above), who
    live in the incident's desa (neutrality), Polsek officers outside their Polsek's area (the
    posting rules would refuse them).
    """
    now = now or timezone.now()
    operation = incident.operation
    stage, _window = current_stage(operation=operation, now=now)
    village = incident.village_election
    target = desa_point(village.desa)
    area_polsek = (
        Jurisdiction.objects.filter(kecamatan_id=village.desa.kecamatan_id)
        .values_list("unit_id", flat=True)
        .first()
    )
    troubled = set(incidents_open_villages(operation_id=operation.pk))
    need = {}
    if stage == Stage.VOTING:
        need = dict(
            VillageStanding.objects.filter(operation=operation).values_list(
                "village_election_id", "required_personnel"
            )
        )
    finished = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.FINISHED)
    postings = (
        Assignment.objects.filter(operation=operation, stage=stage, officer__is_active=True)
        .filter(
            Q(duty__in=[Duty.RESERVE, Duty.PATROL])
            | Q(duty=Duty.VILLAGE_GUARD, village_election_id__in=list(need))
        )
        .exclude(village_election=village)
        .exclude(Exists(finished))
        .select_related("officer__unit", "officer__jabatan", "village_election__desa", "kecamatan")
        .order_by("pk")
    )
    sizes: dict[str, int] = {}
    eligible: dict[str, int] = {}
    rows: list[tuple[Assignment, str]] = []
    for posting in postings:
        if posting.duty == Duty.RESERVE:
            key = f"reserve:{posting.officer.unit_id}"
        elif posting.duty == Duty.PATROL:
            key = f"patrol:{posting.kecamatan_id}"
        else:
            key = f"village:{posting.village_election_id}"
        sizes[key] = sizes.get(key, 0) + 1
        if _may_go(posting.officer, village=village, area_polsek=area_polsek):
            eligible[key] = eligible.get(key, 0) + 1
            rows.append((posting, key))

    groups: dict[str, Group] = {}
    for key, size in sizes.items():
        kind, _sep, ident = key.partition(":")
        if kind == "village":
            spare = 0 if int(ident) in troubled else max(size - need.get(int(ident), 0), 0)
        else:
            spare = size
        # Those who may not go still count in the group they stay with (nobody is left alone).
        spare = min(spare, eligible.get(key, 0))
        groups[key] = Group(key, size, spare, keeps_pairs=kind != "reserve")

    origins, candidates = [], []
    for posting, key in rows:
        if groups[key].spare == 0:
            continue
        point, place = _origin(posting)
        origins.append(point)
        candidates.append((posting, key, place))
    known = [p for p in origins if p is not None]
    distances = iter(distances_km(known, target) if target is not None else [])
    pool = []
    for (posting, key, place), point in zip(candidates, origins, strict=True):
        distance = next(distances) if point is not None and target is not None else None
        officer = posting.officer
        pool.append(
            Available(
                officer_id=officer.pk,
                assignment_id=posting.pk,
                name=f"{_label(Pangkat, officer.rank)} {officer.name}",
                duty=posting.duty,
                group=key,
                place=place,
                distance_km=round(distance, 2) if distance is not None else None,
                polairud=officer.unit.kind == Unit.Kind.POLAIRUD,
            )
        )
    return DispatchPool(
        stage=stage, pool=pool, groups=groups, needs_polairud=bool(village.desa.sea_access_only)
    )


def dispatch_proposal(
    *, incident: Incident, size: int = MIN_TEAM, now: datetime | None = None
) -> tuple[DispatchPool, Proposal]:
    found = dispatch_pool(incident=incident, now=now)
    return found, choose_team(found.pool, found.groups, size=size, needs_polairud=found.needs_polairud)


def incidents_open_villages(*, operation_id: int) -> list[int]:
    return list(
        Incident.objects.filter(operation_id=operation_id)
        .open()
        .values_list("village_election_id", flat=True)
        .distinct()
    )


# --- Lapsit ------------------------------------------------------------------------------------------


def lapsit_data(*, operation: Operation, now: datetime | None = None) -> dict:
    """The board's counters with every incident, and the notable events of the day (plain data)."""
    now = now or timezone.now()
    data = board(operation=operation, now=now, feed_size=None, with_villages=False)
    notable = []
    raised = (
        Incident.objects.filter(operation=operation, level_raised_at__isnull=False)
        .select_related("village_election__desa")
        .order_by("level_raised_at", "pk")
    )
    for incident in raised:
        notable.append(
            _("%(time)s Desa %(desa)s menjadi Sangat Rawan (kejadian #%(id)d tingkat 3).")
            % {
                "time": time_format(timezone.localtime(incident.level_raised_at), "TIME_FORMAT"),
                "desa": incident.village_election.desa.name,
                "id": incident.pk,
            }
        )
    marked = (
        ProgressStep.objects.filter(operation=operation)
        .filter(Q(stage__in=[m.value for m in MARKS]) | Q(is_backward=True))
        .select_related("village_election__desa")
        .order_by("recorded_at", "pk")
    )
    for step in marked:
        notable.append(
            _("%(time)s Desa %(desa)s: %(stage)s — %(reason)s")
            % {
                "time": time_format(timezone.localtime(step.recorded_at), "TIME_FORMAT"),
                "desa": step.village_election.desa.name,
                "stage": _label(ProgressStage, step.stage),
                "reason": " ".join(step.reason.split())[:160],
            }
        )
    sent = Dispatch.objects.filter(incident__operation=operation).aggregate(
        n=Count("pk"), incidents=Count("incident", distinct=True)
    )
    if sent["n"]:
        notable.append(
            _("%(n)d personel dikirim ke %(incidents)d kejadian.")
            % {"n": sent["n"], "incidents": sent["incidents"]}
        )
    data.pop("villages", None)
    data["notable"] = notable
    return data
