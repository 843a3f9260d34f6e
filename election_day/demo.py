"""The election day of the Serang demo (20 Oktober 2019), written through the Hari-H services.

``manage.py load_demo`` builds the plan (operations); this adds the day on top of it: the voting
stage's window, the Polsek Carenang teams that reported arrival, village progress, and two
incidents for the Posko board. Every row is written by the same services the phones and the Posko
use, under a fixed key (uuid5 of a demo name), so a second run finds each row by its key and adds
nothing. Operations never imports this module: the arrow points from election_day to operations.
"""

from __future__ import annotations

import datetime
import uuid
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from election_day.models import CheckIn, Incident, IncidentCategory, ProgressStage, ProgressStep, StageWindow
from election_day.services.checkins import checkin_record
from election_day.services.common import board_changed
from election_day.services.incidents import incident_report
from election_day.services.progress import progress_record
from operations.demo import OPERATION_NAME, POLSEK_CARENANG, VOTING_DAY
from operations.models import Assignment, Duty, Officer, Operation, Stage, Unit
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_apply, proposal_create
from villages.models import VillageElection

WIB = ZoneInfo("Asia/Jakarta")
# Police are at the TPS an hour before it opens (07:00 WIB). The window stays open: the Kabag Ops
# closes it, or opens the counting stage, from the admin when the day moves on.
VOTING_STARTS = datetime.datetime.combine(VOTING_DAY, datetime.time(6, 0), tzinfo=WIB)
KABAG_OPS_LOGIN = "kabagops"
POLSEK_LOGIN = "polsek.carenang"
RESERVE_SIZE = 4
KEYS = uuid.UUID("6f1d8f0e-3c55-4c1e-9a53-2019102000a1")

# desa code -> the stages its team leader has reported, in order
PROGRESS: dict[str, list[str]] = {
    "36.04.17.2001": [ProgressStage.TPS_OPEN, ProgressStage.VOTING],  # Carenang
    "36.04.17.2002": [ProgressStage.TPS_OPEN, ProgressStage.VOTING, ProgressStage.COUNTING],  # Pamanuk
    "36.04.17.2003": [ProgressStage.TPS_OPEN],  # Mandaya
    "36.04.17.2010": [ProgressStage.TPS_OPEN, ProgressStage.VOTING],  # Mekarsari
    "36.04.18.2001": [ProgressStage.TPS_OPEN, ProgressStage.VOTING],  # Binuang
    "36.04.18.2003": [ProgressStage.TPS_OPEN],  # Renged
}


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(KEYS, name)


# Stored data, in Indonesian like the rest of the demo (not interface text).
def _incidents() -> list[dict]:
    return [
        {
            "key": "incident:mekarsari-keributan",
            "desa": "36.04.17.2010",
            "category": "keributan",
            "severity": 2,
            "description": (
                "Adu mulut antarpendukung di depan TPS 04 Mekarsari, sekitar 30 orang; "
                "dilerai anggota pengamanan, pemungutan suara tetap berjalan."
            ),
            "source": Incident.Source.FIELD,
            "by": POLSEK_LOGIN,
        },
        {
            "key": "incident:renged-logistik",
            "desa": "36.04.18.2003",
            "category": "logistik",
            "severity": 1,
            "description": (
                "Surat suara TPS 11 Renged kurang 40 lembar; panitia meminta tambahan dari kecamatan "
                "(laporan telepon Ketua PPKD)."
            ),
            "source": Incident.Source.POSKO,
            "by": KABAG_OPS_LOGIN,
        },
    ]


@transaction.atomic
def demo_load_hari_h() -> list[str]:
    """Write the demo's election day; returns what was done, one line each (for the command)."""
    operation = Operation.objects.filter(name=OPERATION_NAME).first()
    if operation is None:
        return [_("Operasi demo belum ada: jalankan manage.py load_demo lebih dulu.")]
    if operation.status == Operation.Status.CLOSED:
        return [_("Operasi demo sudah ditutup; Hari-H demo tidak diubah.")]
    users = get_user_model().objects.in_bulk([KABAG_OPS_LOGIN, POLSEK_LOGIN], field_name="username")
    kabag, polsek = users[KABAG_OPS_LOGIN], users[POLSEK_LOGIN]
    lines = [_post_the_plan(operation, kabag)]
    window, created = StageWindow.objects.get_or_create(
        operation=operation, stage=Stage.VOTING, defaults={"starts_at": VOTING_STARTS}
    )
    if created:
        board_changed(operation_id=operation.pk)
    if window.ends_at is not None and window.ends_at <= timezone.now():
        lines.append(_("Tahap pemungutan sudah ditutup Posko; laporan tiba tidak ditambah."))
    else:
        lines.append(_check_ins(operation, kabag))
    lines.append(_progress(operation, polsek))
    lines.append(_report_incidents(operation, users))
    return lines


def _post_the_plan(operation: Operation, kabag) -> str:
    """The voting stage's postings: the allocation proposal applied, and a reaction reserve."""
    postings = Assignment.objects.filter(operation=operation, stage=Stage.VOTING)
    applied = 0
    if not postings.exists():
        applied = len(proposal_apply(proposal=proposal_create(operation=operation, by=kabag), by=kabag))
    reserve = 0
    if not postings.filter(duty=Duty.RESERVE).exists():
        free = (
            Officer.objects.active()
            .for_village_duty()
            .filter(unit__kind=Unit.Kind.POLRES)
            .exclude(pk__in=postings.values("officer"))
            .order_by("rank", "nrp")[:RESERVE_SIZE]
        )
        for officer in free:
            assignment_create(
                operation=operation, officer=officer, duty=Duty.RESERVE, note="Cadangan Posko", by=kabag
            )
            reserve += 1
    return _("Penugasan tahap pemungutan: %(applied)d dari usulan alokasi, %(reserve)d cadangan baru.") % {
        "applied": applied,
        "reserve": reserve,
    }


def _check_ins(operation: Operation, kabag) -> str:
    """Two of every three Polsek Carenang village postings reported arrival (by radio, to the Posko)."""
    postings = (
        Assignment.objects.filter(
            operation=operation,
            stage=Stage.VOTING,
            village_election__desa__kecamatan__jurisdiction__unit__name=POLSEK_CARENANG,
        )
        .select_related("officer", "village_election__desa")
        .order_by("village_election__desa__code", "officer__nrp")
    )
    written = 0
    for index, posting in enumerate(postings):
        if index % 3 == 2:
            continue
        key = _key(f"checkin:{posting.officer.nrp}:{posting.village_election.desa.code}")
        if CheckIn.objects.filter(idempotency_key=key).exists():
            continue
        checkin_record(assignment=posting, kind=CheckIn.Kind.ARRIVED, by=kabag, idempotency_key=key)
        written += 1
    return _("Laporan tiba di lokasi: %(written)d baru.") % {"written": written}


def _village(operation: Operation, desa_code: str) -> VillageElection:
    return VillageElection.objects.select_related("desa").get(
        election_id=operation.election_id, desa__code=desa_code
    )


def _progress(operation: Operation, polsek) -> str:
    written = 0
    for desa_code, stages in PROGRESS.items():
        village = _village(operation, desa_code)
        for stage in stages:
            key = _key(f"progress:{desa_code}:{stage}")
            if ProgressStep.objects.filter(idempotency_key=key).exists():
                continue
            progress_record(
                operation=operation, village_election=village, stage=stage, by=polsek, idempotency_key=key
            )
            written += 1
    return _("Langkah kemajuan desa: %(written)d baru.") % {"written": written}


def _report_incidents(operation: Operation, users: dict) -> str:
    written = 0
    for row in _incidents():
        key = _key(row["key"])
        if Incident.objects.filter(idempotency_key=key).exists():
            continue
        incident_report(
            operation=operation,
            village_election=_village(operation, row["desa"]),
            category=IncidentCategory.objects.get(code=row["category"]),
            severity=row["severity"],
            description=row["description"],
            source=row["source"],
            by=users[row["by"]],
            idempotency_key=key,
        )
        written += 1
    return _("Kejadian: %(written)d baru.") % {"written": written}
