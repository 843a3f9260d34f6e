"""Postings of officers (assignments): the only code path that writes Assignment rows.

The rules are checked here with clear messages, and the denormalised columns (desa, home desa,
officer's Polsek, area Polsek) are filled so the table's constraints refuse the same postings if a
check is ever skipped or two requests race. Every change bumps Operation.assignment_version and
recounts the ranking rows of the villages touched; a proposal computed before a change of its stage's
postings is refused on apply (operations/services/proposals.py compares what it was computed from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from operations.models import VILLAGE_DUTIES, Assignment, BkoContingent, Duty, Officer, Operation, Stage, Unit
from operations.models.organisation import Jurisdiction
from operations.services import events
from operations.services.setup import require_open
from operations.services.standings import standings_refresh_assigned
from villages.models import Candidate, Kecamatan, VillageElection
from webhooks.models import EventType


@dataclass(frozen=True)
class PostingRequest:
    """One posting to check and write; ids only, so a batch loads its rows in a few queries."""

    officer_id: int
    duty: str
    village_election_id: int | None = None
    candidate_id: int | None = None
    kecamatan_id: int | None = None
    note: str = ""
    # Why a commander (pimpinan, Kapolsek, posko staff) takes a village duty; required for them.
    command_reason: str = ""


def _message(key: str) -> str:
    messages = {
        "inactive": _("Personel ini tidak aktif dan tidak dapat ditugaskan."),
        "bko_not_arrived": _(
            "Personel BKO dari %(unit)s hanya dapat ditugaskan setelah kontingennya tiba "
            "(di bawah kendali Polres) pada operasi ini."
        ),
        "jurisdiction": _(
            "Personel Polsek hanya dapat ditugaskan di wilayah hukum Polseknya atau sebagai cadangan."
        ),
        "neutrality": _("Netralitas: personel tidak boleh ditugaskan di desa tempat tinggalnya."),
        "double_booking": _("Personel ini sudah mendapat tugas lain pada operasi dan tahap yang sama."),
        "other_election": _("Desa ini tidak termasuk pilkades yang diamankan operasi ini."),
        "village_required": _("Pilih desa untuk tugas pengamanan atau pengawalan."),
        "candidate_required": _("Pilih calon yang dikawal untuk pam melekat."),
        "candidate_elsewhere": _("Calon ini tidak mencalonkan diri di desa yang dipilih."),
        "candidate_not_escort": _("Calon hanya diisi untuk tugas pam melekat."),
        "kecamatan_required": _("Pilih kecamatan yang dipatroli."),
        "no_location": _("Cadangan di Mako tidak memiliki desa, calon, atau kecamatan."),
        "unknown_officer": _("Personel tidak ditemukan."),
        "unknown_village": _("Desa tidak ditemukan."),
        "unknown_candidate": _("Calon tidak ditemukan."),
        "unknown_kecamatan": _("Kecamatan tidak ditemukan."),
        "duty": _("Tugas tidak dikenal."),
        "command_reason": _(
            "%(officer)s adalah %(position)s: penugasan di desa memerlukan alasan tertulis "
            "(pimpinan, Kapolsek/Wakapolsek dan staf posko mengendalikan, bukan menjaga TPS)."
        ),
    }
    return messages[key]


# Constraint name → (field, message key): a race caught by the database reads like the Python check.
_CONSTRAINT_ERRORS = {
    "assignment_no_double_booking": ("officer", "double_booking"),
    "assignment_neutral_not_home_desa": ("village_election", "neutrality"),
    "assignment_polsek_in_jurisdiction": ("village_election", "jurisdiction"),
}


def _integrity_error(exc: IntegrityError) -> ValidationError:
    text = str(exc)
    for name, (field, key) in _CONSTRAINT_ERRORS.items():
        if name in text:
            return ValidationError({field: _message(key)})
    # SQLite names the columns, not the constraint, for a unique violation.
    if "UNIQUE" in text.upper() or "unique" in text:
        return ValidationError({"officer": _message("double_booking")})
    raise exc


def _build(
    *, operation: Operation, stage: str, postings: Sequence[PostingRequest], by: AbstractBaseUser
) -> tuple[list[Assignment], list[tuple[Officer | None, dict[str, str]]]]:
    """Check a batch of postings with a fixed number of queries; lock the officers' rows."""
    officer_ids = sorted({p.officer_id for p in postings})
    officers = {
        o.pk: o
        for o in Officer.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk__in=officer_ids)
        .order_by("pk")
    }
    candidates = {
        c.pk: c for c in Candidate.objects.filter(pk__in={p.candidate_id for p in postings if p.candidate_id})
    }
    village_ids = {p.village_election_id for p in postings if p.village_election_id}
    village_ids |= {c.village_election_id for c in candidates.values()}
    villages = {v.pk: v for v in VillageElection.objects.select_related("desa").filter(pk__in=village_ids)}
    kecamatan_ids = {v.desa.kecamatan_id for v in villages.values()}
    kecamatan_ids |= {p.kecamatan_id for p in postings if p.kecamatan_id}
    known_kecamatan = set(Kecamatan.objects.filter(pk__in=kecamatan_ids).values_list("pk", flat=True))
    area_polsek = dict(
        Jurisdiction.objects.filter(kecamatan_id__in=kecamatan_ids).values_list("kecamatan_id", "unit_id")
    )
    arrived_bko = set(
        BkoContingent.objects.filter(operation=operation, status=BkoContingent.Status.ARRIVED).values_list(
            "unit_id", flat=True
        )
    )
    booked = set(
        Assignment.objects.filter(operation=operation, stage=stage, officer_id__in=officer_ids).values_list(
            "officer_id", flat=True
        )
    )

    assignments: list[Assignment] = []
    failures: list[tuple[Officer | None, dict[str, str]]] = []
    for posting in postings:
        officer = officers.get(posting.officer_id)
        errors: dict[str, str] = {}
        village = villages.get(posting.village_election_id) if posting.village_election_id else None
        candidate = candidates.get(posting.candidate_id) if posting.candidate_id else None
        kecamatan_id = posting.kecamatan_id

        if officer is None:
            errors["officer"] = _message("unknown_officer")
        if posting.duty not in Duty.values:
            errors["duty"] = _message("duty")
        if posting.village_election_id and village is None:
            errors["village_election"] = _message("unknown_village")
        if posting.candidate_id and candidate is None:
            errors["candidate"] = _message("unknown_candidate")
        if posting.kecamatan_id and posting.kecamatan_id not in known_kecamatan:
            errors["kecamatan"] = _message("unknown_kecamatan")

        if posting.duty == Duty.CLOSE_ESCORT and candidate is not None:
            if village is None:
                village = villages[candidate.village_election_id]
            elif candidate.village_election_id != village.pk:
                errors["candidate"] = _message("candidate_elsewhere")
        if posting.duty in VILLAGE_DUTIES:
            if village is None:
                errors.setdefault("village_election", _message("village_required"))
            elif village.election_id != operation.election_id:
                errors["village_election"] = _message("other_election")
            if posting.duty == Duty.CLOSE_ESCORT and candidate is None:
                errors.setdefault("candidate", _message("candidate_required"))
            if posting.duty != Duty.CLOSE_ESCORT and posting.candidate_id:
                errors["candidate"] = _message("candidate_not_escort")
            if village is not None:
                kecamatan_id = village.desa.kecamatan_id
        elif posting.duty == Duty.PATROL:
            if not posting.kecamatan_id:
                errors.setdefault("kecamatan", _message("kecamatan_required"))
            if posting.village_election_id or posting.candidate_id:
                errors["village_election"] = _message("no_location")
        elif posting.duty == Duty.RESERVE and (
            posting.village_election_id or posting.candidate_id or posting.kecamatan_id
        ):
            errors["duty"] = _message("no_location")

        officer_polsek_id = None
        if officer is not None:
            if officer.unit.kind == Unit.Kind.POLSEK:
                officer_polsek_id = officer.unit_id
            if not officer.is_active:
                errors["officer"] = _message("inactive")
            elif officer.unit.supplies_bko and officer.unit_id not in arrived_bko:
                errors["officer"] = _message("bko_not_arrived") % {"unit": officer.unit.name}
            elif officer.pk in booked:
                errors["officer"] = _message("double_booking")
            location_field = "kecamatan" if posting.duty == Duty.PATROL else "village_election"
            if (
                posting.duty != Duty.RESERVE
                and officer_polsek_id is not None
                and kecamatan_id is not None
                and area_polsek.get(kecamatan_id) != officer_polsek_id
            ):
                errors.setdefault(location_field, _message("jurisdiction"))
            if village is not None and officer.home_desa_id == village.desa_id:
                errors.setdefault("village_election", _message("neutrality"))
            if (
                posting.duty in VILLAGE_DUTIES
                and officer.kept_off_village_duty
                and not posting.command_reason.strip()
            ):
                errors["command_reason"] = _message("command_reason") % {
                    "officer": officer,
                    "position": officer.position_title
                    or _("perwira berpangkat %(rank)s") % {"rank": officer.get_rank_display()},
                }
            booked.add(officer.pk)

        if errors:
            failures.append((officer, errors))
            continue
        assignments.append(
            Assignment(
                operation=operation,
                officer=officer,
                stage=stage,
                duty=posting.duty,
                village_election=village,
                candidate=candidate if posting.duty == Duty.CLOSE_ESCORT else None,
                kecamatan_id=kecamatan_id if posting.duty != Duty.RESERVE else None,
                desa_id=village.desa_id if village is not None else None,
                officer_home_desa_id=officer.home_desa_id,
                officer_polsek_id=officer_polsek_id,
                area_polsek_id=area_polsek.get(kecamatan_id) if kecamatan_id else None,
                note=posting.note,
                command_reason=posting.command_reason.strip() if posting.duty in VILLAGE_DUTIES else "",
                assigned_by=by,
            )
        )
    return assignments, failures


def _after_change(*, operation: Operation, stage: str, village_election_ids: set[int]) -> None:
    Operation.objects.filter(pk=operation.pk).update(assignment_version=F("assignment_version") + 1)
    operation.refresh_from_db(fields=["assignment_version"])
    if stage == Stage.VOTING and village_election_ids:
        standings_refresh_assigned(operation=operation, village_election_ids=village_election_ids)


def _lock_operation(operation: Operation) -> Operation:
    locked = Operation.objects.select_for_update().get(pk=operation.pk)
    require_open(locked)
    return locked


def assignments_create_many(
    *,
    operation: Operation,
    stage: str = Stage.VOTING,
    postings: Sequence[PostingRequest],
    by: AbstractBaseUser,
) -> list[Assignment]:
    """Write a batch of postings (all or none) after the same checks as a single posting.

    The caller holds the transaction and the operation lock (see proposal_apply).
    """
    assignments, failures = _build(operation=operation, stage=stage, postings=postings, by=by)
    if failures:
        messages = [
            f"{officer or _message('unknown_officer')}: {'; '.join(errors.values())}"
            for officer, errors in failures
        ]
        raise ValidationError(messages)
    try:
        with transaction.atomic():
            # With history: a proposal's postings enter the audit trail like single postings do.
            bulk_create_with_history(assignments, Assignment, default_user=by)
    except IntegrityError as exc:
        raise _integrity_error(exc) from exc
    _after_change(
        operation=operation,
        stage=stage,
        village_election_ids={a.village_election_id for a in assignments if a.village_election_id},
    )
    return assignments


@transaction.atomic
def assignment_create(
    *,
    operation: Operation,
    officer: Officer,
    duty: str,
    stage: str = Stage.VOTING,
    village_election: VillageElection | None = None,
    candidate: Candidate | None = None,
    kecamatan: Kecamatan | None = None,
    note: str = "",
    command_reason: str = "",
    by: AbstractBaseUser,
) -> Assignment:
    operation = _lock_operation(operation)
    posting = PostingRequest(
        officer_id=officer.pk,
        duty=duty,
        village_election_id=village_election.pk if village_election else None,
        candidate_id=candidate.pk if candidate else None,
        kecamatan_id=kecamatan.pk if kecamatan else None,
        note=note,
        command_reason=command_reason,
    )
    assignments, failures = _build(operation=operation, stage=stage, postings=[posting], by=by)
    if failures:
        raise ValidationError(failures[0][1])
    (assignment,) = assignments
    # The audit trail names the Kabag Ops who posted, with or without a request (undo, commands).
    assignment._history_user = by
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise _integrity_error(exc) from exc
    _after_change(
        operation=operation,
        stage=stage,
        village_election_ids={assignment.village_election_id} if assignment.village_election_id else set(),
    )
    events.assignment_event(EventType.ASSIGNMENT_CREATED, assignment)
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, by: AbstractBaseUser) -> Model:
    """Release an officer from his posting; returns the removal's history row (what an undo restores)."""
    operation = _lock_operation(assignment.operation)
    assignment_id = assignment.pk
    village_election_id = assignment.village_election_id
    stage = assignment.stage
    assignment._history_user = by
    assignment.delete()
    _after_change(
        operation=operation,
        stage=stage,
        village_election_ids={village_election_id} if village_election_id else set(),
    )
    events.assignment_event(EventType.ASSIGNMENT_REMOVED, assignment, assignment_id=assignment_id)
    return Assignment.history.filter(id=assignment_id, history_type="-").latest("history_id")


def posting_place(assignment: Assignment) -> str:
    """Where a posting (or its history row) puts the officer, in the board's words."""
    if assignment.village_election_id:
        return _("Desa %(desa)s (%(duty)s)") % {
            "desa": assignment.village_election.desa.name,
            "duty": assignment.get_duty_display(),
        }
    if assignment.kecamatan_id:
        return f"{assignment.get_duty_display()} ({assignment.kecamatan.name})"
    return str(assignment.get_duty_display())


@transaction.atomic
def assignment_restore(*, removal_id: int, by: AbstractBaseUser) -> Assignment:
    """Undo a removal: the same posting again, through assignment_create (same checks, history).

    Refused with a message naming where the officer is when he was posted again since.
    """
    removal = (
        Assignment.history.select_related("operation", "officer", "village_election__desa", "kecamatan")
        .filter(history_id=removal_id)
        .first()
    )
    if removal is None or removal.history_type != "-":
        raise ValidationError(
            _("Catatan ini bukan pelepasan personel; tidak ada yang diurungkan."), code="invalid"
        )
    operation = _lock_operation(removal.operation)
    current = (
        Assignment.objects.for_stage(operation.pk, removal.stage)
        .filter(officer_id=removal.officer_id)
        .select_related("village_election__desa", "kecamatan")
        .first()
    )
    if current is not None:
        same_posting = (current.duty, current.village_election_id, current.candidate_id) == (
            removal.duty,
            removal.village_election_id,
            removal.candidate_id,
        )
        if same_posting:
            message = _("Penugasan ini sudah dipulihkan: %(officer)s bertugas di %(where)s.")
        else:
            message = _(
                "Tidak dapat diurungkan: %(officer)s sudah ditugaskan di %(where)s setelah dilepas. "
                "Lepas dulu dari sana bila ia harus kembali."
            )
        raise ValidationError(
            message % {"officer": removal.officer, "where": posting_place(current)}, code="taken"
        )
    return assignment_create(
        operation=operation,
        officer=removal.officer,
        duty=removal.duty,
        stage=removal.stage,
        village_election=removal.village_election,
        candidate=removal.candidate,
        kecamatan=removal.kecamatan if removal.duty == Duty.PATROL else None,
        note=removal.note,
        command_reason=removal.command_reason,
        by=by,
    )


@transaction.atomic
def team_leader_set(
    *,
    operation: Operation,
    stage: str,
    village_election: VillageElection,
    officer: Officer | None,
    by: AbstractBaseUser,
) -> None:
    """Name the village team's leader; None goes back to the computed one (most senior rank)."""
    _lock_operation(operation)
    team = Assignment.objects.filter(operation=operation, stage=stage, village_election=village_election)
    if officer is not None and not team.filter(officer=officer).exists():
        raise ValidationError({"officer": _("Personel ini tidak termasuk tim desa tersebut.")})
    team.filter(is_team_leader=True).update(is_team_leader=False)
    if officer is not None:
        team.filter(officer=officer).update(is_team_leader=True)
