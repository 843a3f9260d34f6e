"""Election-day reads: an officer's postings, the Posko board, the board's version stamp.

The board is a fixed number of queries whatever the size of the operation (counts are GROUP BYs,
lists are bounded; the parts' statements are ``board_parts``), so it can be rebuilt after every
change; between changes the client gets 304s from the stamp alone (one indexed row read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from election_day import board_parts
from election_day.dispatch import MIN_TEAM, Available, Group, Proposal, choose_team
from election_day.geo import Point, desa_point, distances_km, point_of, unit_point
from election_day.models import (
    MARKS,
    BoardVersion,
    CheckIn,
    Dispatch,
    Incident,
    ProgressStage,
    ProgressStep,
    StageWindow,
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
from operations.naming import choice_label, officer_name
from pilkades import sqlrows
from pilkades.versioned_cache import versioned_get_or_set_many
from villages.boundary_import import boundary_version
from villages.models import VillageElection

FEED_SIZE = 50
LATE_LIST_SIZE = 100


@dataclass(frozen=True)
class BoardStamp:
    operation_id: int
    version: int
    assignment_version: int
    ranking_version: int
    # The counters of the board's parts (``services.common.board_changed`` bumps them).
    presence: int = 0
    progress: int = 0
    incidents: int = 0


def board_stamp(operation_id: int) -> BoardStamp | None:
    """What the board depends on, in one indexed read: election-day writes, postings, levels."""
    op, bv = Operation._meta, BoardVersion._meta
    quote = connection.ops.quote_name
    sql = (
        f"SELECT o.{quote('assignment_version')}, o.{quote('ranking_version')}, b.{quote('version')}, "
        f"b.{quote('presence')}, b.{quote('progress')}, b.{quote('incidents')} "
        f"FROM {quote(op.db_table)} o LEFT JOIN {quote(bv.db_table)} b "
        f"ON b.{quote('operation_id')} = o.{quote('id')} "
        f"WHERE o.{quote('id')} = %s"
    )
    with sqlrows.cursor() as cursor:
        cursor.execute(sql, [operation_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return BoardStamp(operation_id, row[2] or 0, row[0], row[1], row[3] or 0, row[4] or 0, row[5] or 0)


def stage_windows(*, operation: Operation) -> list[StageWindow]:
    """The operation's windows, earliest first (a handful: one per stage)."""
    return list(StageWindow.objects.filter(operation=operation).order_by("starts_at", "pk"))


def current_stage(
    *, operation: Operation, now: datetime, windows: list[StageWindow] | None = None
) -> tuple[str, StageWindow | None]:
    """The stage whose window has started most recently (voting day before any window starts)."""
    windows = stage_windows(operation=operation) if windows is None else windows
    started = [window for window in windows if window.starts_at <= now]
    if not started:
        return Stage.VOTING, next((w for w in windows if w.stage == Stage.VOTING), None)
    return started[-1].stage, started[-1]


def windows_on_duty(
    *,
    operation: Operation,
    now: datetime,
    current: StageWindow | None,
    windows: list[StageWindow] | None = None,
) -> list[StageWindow]:
    """The windows whose postings are on duty at ``now``: every started window not yet ended (voting
    goes on while counting starts), and the latest started one even after its end (the day's last
    stage stays on the board)."""
    windows = stage_windows(operation=operation) if windows is None else windows
    running = {w.stage: w for w in windows if w.starts_at <= now and (w.ends_at is None or w.ends_at > now)}
    if current is not None and current.starts_at <= now:
        running.setdefault(current.stage, current)
    return sorted(running.values(), key=lambda window: window.starts_at)


def my_assignments(*, user, operation: Operation | None = None) -> QuerySet[Assignment]:
    """The postings of the user's officer (and, for a team leader, the rest of his teams)."""
    arrived = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.ARRIVED)
    finished = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.FINISHED)
    # A planned operation's postings too: the officer learns his post before the day (his check-in
    # waits for the stage's window anyway); a closed one's are history.
    own = Assignment.objects.filter(officer__user=user).exclude(operation__status=Operation.Status.CLOSED)
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


# Long enough for a day's quiet spells; a part's key changes with every write that changes it.
BOARD_CACHE_SECONDS = 3600


def _village_places(operation: Operation) -> list[tuple]:
    """(village election, desa code, desa, kecamatan, level, latitude, longitude as floats or None)."""
    places = []
    rows = board_parts.villages(operation_id=operation.pk, election_id=operation.election_id)
    for ve_id, code, desa, kecamatan, level, lat, lng in rows:
        point = point_of(lat, lng)
        places.append((ve_id, code, desa, kecamatan, level, *(point or (None, None))))
    return places


def board(
    *,
    operation: Operation,
    now: datetime | None = None,
    feed_size: int | None = FEED_SIZE,
    with_villages: bool = True,
    stamp: BoardStamp | None = None,
) -> dict:
    """Everything the Posko board shows, as plain data (the page's script and the API share it).

    The board is three parts (presence and the late list; the villages' stages; the incidents), each
    kept in the cache under its own counter and the operation's postings version, and the villages'
    places and levels under the ranking version: a check-in rebuilds the presence and reuses the
    rest. The Lapsit asks for every incident (``feed_size=None``, never cached) and no village list.
    """
    now = now or timezone.now()
    windows = stage_windows(operation=operation)
    stage, window = current_stage(operation=operation, now=now, windows=windows)
    on_duty = windows_on_duty(operation=operation, now=now, current=window, windows=windows)
    stages = sorted({stage} | {w.stage for w in on_duty})
    grace = timedelta(minutes=settings.CHECKIN_GRACE_MINUTES)
    late_since = {w.stage: w.starts_at + grace for w in on_duty if now >= w.starts_at + grace}
    duty_key = (
        ",".join(stages) + ";" + ",".join(f"{s}@{t.isoformat()}" for s, t in sorted(late_since.items()))
    )
    # The stamp is read before the parts: a part built now is at least as new as its counter.
    parts = (stamp or board_stamp(operation.pk)) if feed_size == FEED_SIZE else None
    prefix = f"board:{operation.pk}"
    language = translation.get_language() or ""

    builds = (
        lambda: board_parts.presence(operation_id=operation.pk, stages=stages, late_since=late_since),
        lambda: board_parts.progress(operation_id=operation.pk),
        lambda: board_parts.incidents(operation_id=operation.pk, feed_size=feed_size),
    )
    places = (lambda: _village_places(operation)) if with_villages else list
    if parts is None:  # the Lapsit's every incident: never cached
        presence, progress, incidents, village_places = (build() for build in (*builds, places))
    else:
        keys = (
            f"{prefix}:presence:{parts.presence}:{parts.assignment_version}:{duty_key}:{language}"
            f":{settings.CHECKIN_FAR_METRES}",
            f"{prefix}:progress:{parts.progress}",
            f"{prefix}:incidents:{parts.incidents}:{language}",
        )
        builders = dict(zip(keys, builds, strict=True))
        if with_villages:
            # Names, levels and points: every write of them bumps the ranking version (a desa's
            # point through ``desa_save``), but for the outline import, which has its own.
            keys += (f"{prefix}:villages:{parts.ranking_version}:{boundary_version()}",)
            builders[keys[-1]] = places
        found = versioned_get_or_set_many(builders, BOARD_CACHE_SECONDS)
        presence, progress, incidents = (found[key] for key in keys[:3])
        village_places = found[keys[3]] if with_villages else []

    per_stage: dict[str, int] = {}
    for value in progress.values():
        per_stage[value] = per_stage.get(value, 0) + 1
    stage_counts = [
        {"stage": s.value, "label": str(s.label), "count": per_stage.get(s.value, 0)} for s in ProgressStage
    ]
    villages = []
    if with_villages:
        for ve_id, code, desa, kecamatan, level, lat, lng in village_places:
            key = str(ve_id)
            villages.append(
                {
                    "id": ve_id,
                    "code": code,  # the key of the board's map (operations' map data)
                    "desa": desa,
                    "kecamatan": kecamatan,
                    "level": level,
                    "stage": progress.get(key, ""),
                    "open_incidents": incidents["open_per_village"].get(key, 0),
                    "worst_severity": incidents["worst_per_village"].get(key, 0),
                    "lat": lat,
                    "lng": lng,
                }
            )
        total_villages = len(villages)
    else:
        total_villages = VillageStanding.objects.filter(operation=operation).count()

    return {
        "operation": {"id": operation.pk, "name": operation.name, "status": operation.status},
        "generated_at": timezone.localtime(now).isoformat(),
        "stage": {
            "stage": stage,
            "label": str(Stage(stage).label),
            "starts_at": timezone.localtime(window.starts_at).isoformat() if window else None,
        },
        "personnel": presence["personnel"],
        "villages_total": total_villages,
        "villages_not_started": max(total_villages - len(progress), 0),
        "villages_per_stage": stage_counts,
        "incidents_open": incidents["open"],
        "incidents_closed": incidents["closed"],
        "incidents": incidents["feed"],
        "late": presence["late"],
        "far": presence["far"],
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

    Reserve and patrols of every stage on duty (``windows_on_duty``); village guards of other villages
    above their need (voting stage, where needs are kept), never from a village with an open incident.
    Left out: officers who finished duty, commanders (Kapolsek, pimpinan, staff, Kompol and above), who
    live in the incident's desa (neutrality), Polsek officers outside their Polsek's area (the posting
    rules would refuse them).
    """
    now = now or timezone.now()
    operation = incident.operation
    windows = stage_windows(operation=operation)
    stage, window = current_stage(operation=operation, now=now, windows=windows)
    # Every stage on duty, as the board counts them: the voting day's reserve is still there while
    # an early counting window runs beside it.
    on_duty = windows_on_duty(operation=operation, now=now, current=window, windows=windows)
    stages = sorted({stage} | {w.stage for w in on_duty})
    village = incident.village_election
    target = desa_point(village.desa)
    area_polsek = (
        Jurisdiction.objects.filter(kecamatan_id=village.desa.kecamatan_id)
        .values_list("unit_id", flat=True)
        .first()
    )
    troubled = set(incidents_open_villages(operation_id=operation.pk))
    need = {}
    if Stage.VOTING in stages:
        need = dict(
            VillageStanding.objects.filter(operation=operation).values_list(
                "village_election_id", "required_personnel"
            )
        )
    finished = CheckIn.objects.filter(assignment=OuterRef("pk"), kind=CheckIn.Kind.FINISHED)
    postings = (
        Assignment.objects.filter(operation=operation, stage__in=stages, officer__is_active=True)
        .filter(
            Q(duty__in=[Duty.RESERVE, Duty.PATROL])
            | Q(duty=Duty.VILLAGE_GUARD, stage=Stage.VOTING, village_election_id__in=list(need))
        )
        .exclude(village_election=village)
        .exclude(Exists(finished))
        .select_related("officer__unit", "officer__jabatan", "village_election__desa", "kecamatan")
        .order_by("pk")
    )
    sizes: dict[str, int] = {}
    eligible: dict[str, int] = {}
    rows: list[tuple[Assignment, str]] = []
    seen: set[int] = set()
    for posting in postings:
        if posting.officer_id in seen:  # posted in two stages on duty: one officer, sent once
            continue
        seen.add(posting.officer_id)
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
                name=officer_name(officer.rank, officer.name),
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
                "stage": choice_label(ProgressStage, step.stage),
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
