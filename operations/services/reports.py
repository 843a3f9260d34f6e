"""Risk report lifecycle (draft → submitted → verified | returned) and Kabag Ops' level override.

Who may act is checked here with the permission predicates, so the pages, the API and the admin
cannot disagree. Every status change writes a RiskReportTransition.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from operations import permissions
from operations.models import (
    Operation,
    RiskIndicator,
    RiskLevel,
    RiskReport,
    RiskReportAnswer,
    RiskReportTransition,
    VillageRisk,
)
from operations.selectors.report_facts import (
    KnownFact,
    fact_disagreement,
    known_facts,
    stored_fact_answers,
)
from operations.selectors.reports import level_thresholds, report_scored
from operations.services import events
from operations.services.standings import standings_refresh, standings_refresh_for_village_elections
from pilkades.errors import WrongState
from villages.models import VillageElection
from webhooks.models import EventType

Status = RiskReport.Status


class IdempotencyKeyReused(ValidationError):
    """The key of a stored report came with a request that is neither a retry of the one stored
    under it nor the author's autosave of that draft: answered 422, never applied."""

    def __init__(self) -> None:
        super().__init__(
            {
                "idempotency_key": _(
                    "Kunci idempotensi ini sudah dipakai untuk laporan lain atau isi yang berbeda;"
                    " muat ulang formulir untuk membuat laporan baru."
                )
            }
        )


@dataclass(frozen=True)
class AnswerData:
    """One indicator answer as the form or the API parsed it.

    ``indicator`` is the catalogue row of ``indicator_id`` when the caller has already read it (the
    API resolves the codes, the form builds its fields from the rows): the service then checks it
    without reading the catalogue a second time in the same request.
    """

    indicator_id: int
    flag: bool | None = None
    number: Decimal | None = None
    unknown: bool = False
    evidence: str = ""
    attachment: File | None = None
    indicator: RiskIndicator | None = None


def _transition(
    report: RiskReport, *, from_status: str, by: AbstractBaseUser, reason: str = ""
) -> RiskReportTransition:
    return RiskReportTransition.objects.create(
        report=report, from_status=from_status, to_status=report.status, by=by, reason=reason
    )


def _require_reporter(user: AbstractBaseUser, village_election: VillageElection) -> None:
    if not permissions.can_report_on(user, village_election.desa.kecamatan_id):
        raise PermissionDenied(_("Desa ini di luar wilayah hukum Polsek Anda."))


def _require_verifier(user: AbstractBaseUser) -> None:
    if not permissions.can_verify_reports(user):
        raise PermissionDenied(_("Hanya Kabag Ops yang dapat memutuskan laporan dan tingkat kerawanan."))


def _locked(report: RiskReport) -> RiskReport:
    """The report's row, locked, with the rows the jurisdiction check and the API's answer follow.

    Only the report's row is locked: the joined rows are read, so reports on neighbouring villages
    (same desa, same kecamatan) never wait for each other.
    """
    return (
        RiskReport.objects.select_for_update(of=("self",))
        .select_related("village_election__desa__kecamatan", "author", "decided_by")
        .get(pk=report.pk)
    )


def _clean_answers(answers: Iterable[AnswerData]) -> list[AnswerData]:
    """The answers checked against the catalogue, each carrying its indicator row."""
    answers = list(answers)
    indicators = {a.indicator_id: a.indicator for a in answers if a.indicator is not None}
    unread = [a.indicator_id for a in answers if a.indicator_id not in indicators]
    if unread:
        indicators.update(RiskIndicator.objects.in_bulk(unread))
    errors, seen = [], set()
    for answer in answers:
        indicator = indicators.get(answer.indicator_id)
        if indicator is None or not indicator.is_active:
            errors.append(_("Indikator %(id)s tidak ada atau tidak aktif.") % {"id": answer.indicator_id})
        elif answer.indicator_id in seen:
            errors.append(_("Indikator %(label)s diisi dua kali.") % {"label": indicator.label})
        elif indicator.kind == RiskIndicator.Kind.BOOLEAN and answer.number is not None:
            errors.append(_("Indikator %(label)s diisi ya/tidak, bukan angka.") % {"label": indicator.label})
        elif indicator.kind == RiskIndicator.Kind.NUMBER and answer.flag is not None:
            errors.append(_("Indikator %(label)s diisi angka, bukan ya/tidak.") % {"label": indicator.label})
        elif answer.number is not None and answer.number < 0:
            errors.append(_("Nilai indikator %(label)s tidak boleh negatif.") % {"label": indicator.label})
        elif answer.unknown and (answer.flag is not None or answer.number is not None):
            errors.append(
                _("Indikator %(label)s: pilih nilai atau 'tidak diketahui', bukan keduanya.")
                % {"label": indicator.label}
            )
        seen.add(answer.indicator_id)
    if errors:
        raise ValidationError({"answers": errors})
    return [dataclasses.replace(a, indicator=indicators[a.indicator_id]) for a in answers]


def _answered(answer: AnswerData | RiskReportAnswer) -> bool:
    return answer.unknown or answer.flag is not None or answer.number is not None


ANSWERED = Q(unknown=True) | Q(flag__isnull=False) | Q(number__isnull=False)


def _incomplete(answered_indicator_ids: Iterable[int] | models.QuerySet) -> dict[str, list[str]]:
    """Why a submission is incomplete ({} if it is not): every active indicator must be answered
    ("tidak diketahui" is an answer).

    An indicator left out scored as "no" before, so an empty report turned a village Aman.
    ``answered_indicator_ids``: the ids in hand, or a subquery of them (one query either way).
    """
    if not isinstance(answered_indicator_ids, models.QuerySet):
        answered_indicator_ids = list(answered_indicator_ids)
    missing = RiskIndicator.objects.filter(is_active=True).exclude(pk__in=answered_indicator_ids)
    labels = list(missing.values_list("label", flat=True))
    if not labels:
        return {}
    return {
        "answers": [
            _("Indikator %(label)s belum diisi (pilih 'tidak diketahui' bila tidak tahu).") % {"label": label}
            for label in labels
        ]
    }


def _refuse(errors: dict) -> None:
    """Every refusal found, in one answer: a report both incomplete and contradicting the record
    is told both at once, not one, then the other after a second submission."""
    if errors:
        raise ValidationError(errors)


def facts_contradicted(
    facts: Mapping[str, KnownFact], answers: Iterable[AnswerData | RiskReportAnswer]
) -> dict[str, str]:
    """By indicator code, the refusal of each answer that contradicts the village's record without
    a note (its ``evidence``): the rule the form, the API and every service path share.

    ``answers`` carry their indicator row; an unanswered fact contradicts nothing (completeness is
    ``_incomplete``'s).
    """
    errors = {}
    for answer in answers:
        code = answer.indicator.code
        fact = facts.get(code)
        if fact is None:
            continue
        value = answer.flag if answer.indicator.kind == RiskIndicator.Kind.BOOLEAN else answer.number
        if message := fact_disagreement(fact, answer=value, unknown=answer.unknown, note=answer.evidence):
            errors[code] = message
    return errors


def _facts_disagree(village_election_id: int, answers: list[AnswerData]) -> dict[str, str]:
    """Where answers about to be written disagree with the village's record without saying why;
    keyed by indicator code. The facts are read in one query whenever answers are written (a
    report's queries do not depend on which indicators it answers), none for a write without
    answers."""
    if not answers:
        return {}
    facts = known_facts(village_election_ids=[village_election_id]).get(village_election_id, {})
    return facts_contradicted(facts, answers)


def _stored_facts_disagree(report: RiskReport) -> dict[str, str]:
    """The same for a stored report's answers against the record as it is now (a candidate may
    have been registered since the draft was saved); one query."""
    facts, answers = stored_fact_answers(report_id=report.pk)
    return facts_contradicted(facts, answers)


ANSWER_FIELDS = ["flag", "number", "unknown", "evidence"]


def _write_answers(
    report: RiskReport, answers: list[AnswerData], *, by: AbstractBaseUser, new_report: bool = False
) -> list[RiskReportAnswer]:
    """Make the report's answers exactly ``answers``; an answer without a new file keeps its old one.

    ``answers`` come from ``_clean_answers``: indicators known and active, no duplicates, no negative
    numbers. So each answer only needs its own fields checked (``clean_fields``): ``full_clean`` would
    add a query per answer for the check constraint and the foreign keys, all of which are settled
    already (and the database constraints stay the last line of defence). The rows and their history
    are written in one insert each, not one per answer.
    """
    existing = {} if new_report else {a.indicator_id: a for a in report.answers.all()}
    created, updated, with_new_file = [], [], []
    for data in answers:
        answer = existing.pop(data.indicator_id, None)
        if answer is None:
            answer = RiskReportAnswer(report=report)
            created.append(answer)
        elif data.attachment is not None:
            with_new_file.append(answer)
        else:
            updated.append(answer)
        answer.indicator = data.indicator
        answer.flag, answer.number, answer.unknown = data.flag, data.number, data.unknown
        answer.evidence = data.evidence
        if data.attachment is not None:
            answer.attachment = data.attachment
        answer.clean_fields(exclude=["report", "indicator"])
    if created:
        # bulk_create stores new files too (FileField.pre_save runs per row).
        bulk_create_with_history(created, RiskReportAnswer, default_user=by)
    if updated:
        bulk_update_with_history(updated, RiskReportAnswer, ANSWER_FIELDS, default_user=by)
    for answer in with_new_file:
        # bulk_update would write the file's name without storing the file.
        answer.save()
    if existing:
        RiskReportAnswer.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
    # In the model's order (Meta.ordering), as a read of report.answers would give them.
    return sorted(created + updated + with_new_file, key=lambda a: (a.indicator.order, a.indicator.code))


def _hold_written(report: RiskReport, **rows: list) -> None:
    """Keep the rows just written on the report as Django keeps prefetched ones.

    ``report.answers.all()`` then answers from memory: the API echoes a new report without
    reading back what this request wrote a moment ago.
    """
    cache = {}
    for name, objs in rows.items():
        held = getattr(report, name).all()  # the related queryset, not evaluated
        held._result_cache, held._prefetch_done = objs, True
        cache[name] = held
    report._prefetched_objects_cache = cache


@dataclass(frozen=True)
class KeyedSave:
    """What a request carrying an idempotency key did: created the report, replayed it (wrote
    nothing: a retry of the request stored under the key), or neither (updated the draft)."""

    report: RiskReport
    created: bool = False
    replayed: bool = False


def request_fingerprint(*, village_election_id: int, narrative: str, answers: Iterable[AnswerData]) -> str:
    """A hash of what a report request asks for, in canonical form, stored with its key.

    Built from the parsed values, so the same report sent again compares equal however it was
    spelt (30 or 30.00, answers in any order). ``submit`` is left out: a retry that now asks for the
    submission of the draft it created is the same report. A new file counts by name and size.
    """
    rows = sorted(
        (
            [
                a.indicator_id,
                a.flag,
                None if a.number is None else format(Decimal(a.number).normalize(), "f"),
                a.unknown,
                a.evidence,
                None if a.attachment is None else [a.attachment.name, a.attachment.size],
            ]
            for a in answers
        ),
        key=lambda row: row[0],
    )
    canonical = {"village_election": village_election_id, "narrative": narrative, "answers": rows}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def report_create(
    *,
    village_election: VillageElection,
    author: AbstractBaseUser,
    narrative: str = "",
    answers: Iterable[AnswerData] = (),
    idempotency_key: uuid.UUID | None = None,
    submit: bool = False,
    client_time: datetime | None = None,
) -> RiskReport:
    """A draft report by a Polsek officer on a village of his jurisdiction; with ``submit``, the
    draft submitted in the same transaction (a finished report sent in one step).

    ``client_time``: the phone's time of the submission (the field app's queue may send it much
    later); stored only when the report is submitted, see ``RiskReport.client_time``.

    With an idempotency key, see ``report_save_keyed``. A report created now comes back holding
    its answers and its transitions (see ``_hold_written``); one found by its key does not.
    """
    if idempotency_key is not None:
        return report_save_keyed(
            village_election=village_election,
            author=author,
            idempotency_key=idempotency_key,
            narrative=narrative,
            answers=answers,
            submit=submit,
            client_time=client_time,
        ).report
    _require_reporter(author, village_election)
    return _create(
        village_election=village_election,
        author=author,
        narrative=narrative,
        answers=answers,
        submit=submit,
        client_time=client_time,
    )


def _create(
    *,
    village_election: VillageElection,
    author: AbstractBaseUser,
    narrative: str,
    answers: Iterable[AnswerData],
    submit: bool,
    idempotency_key: uuid.UUID | None = None,
    fingerprint: str = "",
    client_time: datetime | None = None,
) -> RiskReport:
    """Store a new report; an IntegrityError if another request stored one with the same key first."""
    answers = _clean_answers(answers)
    errors = _facts_disagree(village_election.pk, answers)
    if submit:
        errors |= _incomplete(a.indicator_id for a in answers if _answered(a))
    _refuse(errors)
    report = RiskReport(
        village_election=village_election,
        author=author,
        narrative=narrative,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint,
        client_time=client_time if submit else None,
    )
    with transaction.atomic():
        if submit:
            transitions = _insert_submitted(report, by=author)
        else:
            report.save(force_insert=True)
            transitions = [_transition(report, from_status="", by=author)]
        written = _write_answers(report, answers, by=author, new_report=True)
    _hold_written(report, answers=written, transitions=transitions)
    return report


def report_save(
    *,
    village_election: VillageElection,
    author: AbstractBaseUser,
    idempotency_key: uuid.UUID,
    narrative: str = "",
    answers: Iterable[AnswerData] = (),
    submit: bool = False,
    client_time: datetime | None = None,
) -> RiskReport:
    """``report_save_keyed``'s report: the phone form's saves and submissions."""
    return report_save_keyed(
        village_election=village_election,
        author=author,
        idempotency_key=idempotency_key,
        narrative=narrative,
        answers=answers,
        submit=submit,
        client_time=client_time,
    ).report


def report_save_keyed(
    *,
    village_election: VillageElection,
    author: AbstractBaseUser,
    idempotency_key: uuid.UUID,
    narrative: str = "",
    answers: Iterable[AnswerData] = (),
    submit: bool = False,
    client_time: datetime | None = None,
) -> KeyedSave:
    """A report request carrying an idempotency key (the phone form's saves, the API's create).

    The key is stored with the report and a fingerprint of the request (``request_fingerprint``).
    A new key creates the report (a draft, or submitted with ``submit``). A key already stored:

    - the same request again (a phone retrying a request whose answer was lost): the report as it
      is now, written to by nothing, except that a draft is submitted if the retry asks for it
      (a retried submission is submitted once, see ``_submit_found``);
    - another request from the same author for the same village while the report is still a draft:
      the phone's autosave (it saves with one key until it learns the report's address), so the
      draft is brought up to date, and submitted with ``submit``;
    - anything else (another author, another village, or a report that has left the draft state:
      submitted, verified, or returned by HQ): ``IdempotencyKeyReused``, nothing written. A second
      report never disappears into the first, and a late save never overwrites a returned report's
      corrections nor resubmits it; those go through the edit page.
    """
    _require_reporter(author, village_election)
    answers = list(answers)
    fingerprint = request_fingerprint(
        village_election_id=village_election.pk, narrative=narrative, answers=answers
    )
    existing = RiskReport.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        try:
            report = _create(
                village_election=village_election,
                author=author,
                narrative=narrative,
                answers=answers,
                submit=submit,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                client_time=client_time,
            )
            return KeyedSave(report, created=True)
        except IntegrityError:
            # Two retries raced past the lookup; the unique key let exactly one of them in.
            existing = RiskReport.objects.get(idempotency_key=idempotency_key)
    if existing.author_id != author.pk:
        raise IdempotencyKeyReused()
    same_draft = existing.status == Status.DRAFT and existing.village_election_id == village_election.pk
    if existing.idempotency_fingerprint == fingerprint or (
        not existing.idempotency_fingerprint and not same_draft
    ):
        # A retry (a report stored before fingerprints were kept counts as one, as it did then).
        was_draft = existing.status == Status.DRAFT
        report = _submit_found(existing, by=author, submit=submit, client_time=client_time)
        return KeyedSave(report, replayed=not (submit and was_draft))
    if not same_draft:
        raise IdempotencyKeyReused()
    return KeyedSave(
        _update_keyed_draft(
            existing,
            by=author,
            narrative=narrative,
            answers=answers,
            submit=submit,
            fingerprint=fingerprint,
            client_time=client_time,
        )
    )


@transaction.atomic
def _update_keyed_draft(
    report: RiskReport,
    *,
    by: AbstractBaseUser,
    narrative: str,
    answers: list[AnswerData],
    submit: bool,
    fingerprint: str,
    client_time: datetime | None = None,
) -> RiskReport:
    """The autosave of a keyed draft; decided again on the locked row (it may have been submitted
    since it was read)."""
    report = _locked(report)
    if report.status != Status.DRAFT:
        raise IdempotencyKeyReused()
    report.idempotency_fingerprint = fingerprint
    return _update(
        report, by=by, narrative=narrative, answers=answers, submit=submit, client_time=client_time
    )


def _require_editable(report: RiskReport, by: AbstractBaseUser) -> None:
    if report.author_id != by.pk:
        raise PermissionDenied(_("Hanya pelapor yang dapat mengubah atau mengajukan laporan ini."))
    if report.status == Status.VERIFIED:
        raise WrongState(_("Laporan terverifikasi tidak dapat diubah; buat laporan baru."))
    if report.status == Status.SUBMITTED:
        raise WrongState(_("Laporan sedang diperiksa Kabag Ops dan tidak dapat diubah."))


@transaction.atomic
def report_update(
    *,
    report: RiskReport,
    by: AbstractBaseUser,
    narrative: str | None = None,
    answers: Iterable[AnswerData] | None = None,
    submit: bool = False,
    client_time: datetime | None = None,
) -> RiskReport:
    """Change a draft or returned report; only its author, never once submitted or verified.

    With ``submit`` the changed report is submitted in the same transaction, with the phone's
    ``client_time`` of that submission (none given: none kept from an earlier submission).
    """
    return _update(
        _locked(report), by=by, narrative=narrative, answers=answers, submit=submit, client_time=client_time
    )


def _update(
    report: RiskReport,
    *,
    by: AbstractBaseUser,
    narrative: str | None,
    answers: Iterable[AnswerData] | None,
    submit: bool,
    client_time: datetime | None = None,
) -> RiskReport:
    """``report_update`` on the locked row."""
    _require_editable(report, by)
    _require_reporter(by, report.village_election)
    if answers is not None:
        answers = _clean_answers(answers)
        errors = _facts_disagree(report.village_election_id, answers)
        if submit:
            errors |= _incomplete(a.indicator_id for a in answers if _answered(a))
        _refuse(errors)
        _write_answers(report, answers, by=by)
    if narrative is not None:
        report.narrative = narrative
    if submit:
        report.client_time = client_time
        _mark_submitted(report, by=by, checked=answers is not None)
    else:
        report.save()
    return report


@transaction.atomic
def report_submit(*, report: RiskReport, by: AbstractBaseUser) -> RiskReport:
    report = _locked(report)
    _require_editable(report, by)
    _require_reporter(by, report.village_election)
    _mark_submitted(report, by=by)
    return report


def _mark_submitted(
    report: RiskReport, *, by: AbstractBaseUser, checked: bool = False
) -> RiskReportTransition:
    """Submit an editable report the caller has already checked (locked, or created in this
    transaction) if every indicator is answered and its answers agree with the village's record;
    the one place a stored report becomes Submitted.

    ``checked``: the caller has just written the report's answers, checked both ways as they were
    written; else they are read, and checked against the record of now.
    """
    if not checked:
        answered = report.answers.filter(ANSWERED).values("indicator_id")
        _refuse(_incomplete(answered) | _stored_facts_disagree(report))
    previous = report.status
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.save()
    events.report_event(EventType.REPORT_SUBMITTED, report)
    return _transition(report, from_status=previous, by=by)


def _insert_submitted(report: RiskReport, *, by: AbstractBaseUser) -> list[RiskReportTransition]:
    """Store a new report already submitted, recording exactly what create then submit records.

    The history rows (created as a draft, then changed to submitted) and the transitions (draft
    created, then submitted, both by the author) are written one insert each, and the report in
    one insert, instead of an insert and an update with a history row each and two transitions:
    three round trips and two model saves fewer on the path every finished report takes. The
    report is saved raw (as built, no signals' history row: written here) so that its creation,
    last change and submission carry one and the same time.
    """
    now = timezone.now()
    report.status, report.created_at, report.updated_at, report.submitted_at = Status.SUBMITTED, now, now, now
    report.save_base(raw=True, force_insert=True)
    history = RiskReport.history.model
    # Whom a save would name: the request's user (the middleware's), none outside a request.
    user = history.get_default_history_user(report)

    def history_row(history_type: str, **changed) -> models.Model:
        fields = {f.attname: getattr(report, f.attname) for f in history.tracked_fields}
        return history(
            history_date=now,
            history_type=history_type,
            history_user=user,
            history_change_reason=None,
            **{**fields, **changed},
        )

    history.objects.bulk_create([history_row("+", status=Status.DRAFT, submitted_at=None), history_row("~")])
    events.report_event(EventType.REPORT_SUBMITTED, report)
    return RiskReportTransition.objects.bulk_create(
        [
            RiskReportTransition(report=report, from_status="", to_status=Status.DRAFT, by=by),
            RiskReportTransition(report=report, from_status=Status.DRAFT, to_status=Status.SUBMITTED, by=by),
        ]
    )


def _submit_found(
    report: RiskReport, *, by: AbstractBaseUser, submit: bool, client_time: datetime | None = None
) -> RiskReport:
    """A report found by its idempotency key, submitted if the retried request asked for it and
    it is still a draft (a returned report is resubmitted from the edit page, never by a retry).

    A retried submission (its first answer lost on the way) finds the report already submitted: it
    is answered like the first one, not submitted twice and not refused. Decided on the locked row,
    so two retries racing each other submit once.
    """
    if not (submit and report.status == Status.DRAFT):
        return report
    with transaction.atomic():
        report = _locked(report)
        if report.status == Status.DRAFT:
            _require_reporter(by, report.village_election)
            report.client_time = client_time
            _mark_submitted(report, by=by)
    return report


def _require_submitted(report: RiskReport) -> None:
    if report.status != Status.SUBMITTED:
        raise WrongState(
            _("Hanya laporan berstatus Diajukan yang dapat diputuskan; status laporan ini: %(status)s.")
            % {"status": report.get_status_display()}
        )


@transaction.atomic
def report_verify(*, report: RiskReport, by: AbstractBaseUser) -> RiskReport:
    """Freeze the score, the level and each answer's contribution, and make the report current.

    Weights are read now and stored with the report, so a later change to the catalogue never
    rewrites what HQ verified.
    """
    _require_verifier(by)
    report = _locked(report)
    _require_submitted(report)
    answers = list(report.answers.select_related("indicator"))
    result, computed_level = report_scored(answers, level_thresholds())
    for answer in answers:
        answer.contribution = result.contributions[answer.pk]
    RiskReportAnswer.objects.bulk_update(answers, ["contribution"])

    report.status = Status.VERIFIED
    report.has_unknown = any(answer.unknown for answer in answers)
    report.score = result.total
    report.computed_level = computed_level
    report.decided_at = timezone.now()
    report.decided_by = by
    report.save()
    _transition(report, from_status=Status.SUBMITTED, by=by)
    events.report_event(EventType.REPORT_VERIFIED, report)

    risk = _locked_risk(report.village_election)
    if risk.last_report_at is None or risk.last_report_at <= report.decided_at:
        before = events.effective_level(risk)
        _point_risk_at(risk, report)
        risk.save()
        standings_refresh_for_village_elections(village_election_ids=[report.village_election_id])
        events.level_event(risk, before)
    return report


@transaction.atomic
def report_return(*, report: RiskReport, by: AbstractBaseUser, reason: str) -> RiskReport:
    _require_verifier(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan pengembalian wajib diisi.")})
    report = _locked(report)
    _require_submitted(report)
    report.status = Status.RETURNED
    report.return_reason = reason.strip()
    report.decided_at = timezone.now()
    report.decided_by = by
    report.save()
    _transition(report, from_status=Status.SUBMITTED, by=by, reason=report.return_reason)
    events.report_event(EventType.REPORT_RETURNED, report)
    return report


def _locked_risk(village_election: VillageElection) -> VillageRisk:
    VillageRisk.objects.get_or_create(village_election=village_election)
    return VillageRisk.objects.select_for_update().get(village_election=village_election)


def _point_risk_at(risk: VillageRisk, report: RiskReport | None) -> None:
    risk.report = report
    risk.score = report.score if report else None
    risk.computed_level = report.computed_level if report else None
    risk.last_report_at = report.decided_at if report else None
    risk.has_unknown = report.has_unknown if report else False


@transaction.atomic
def risk_override(
    *, village_election: VillageElection, level: int, reason: str, by: AbstractBaseUser
) -> VillageRisk:
    """Kabag Ops sets a village's level by hand, with a written reason; the computed level stays visible."""
    _require_verifier(by)
    return _apply_override(village_election=village_election, level=level, reason=reason, actor=by)


@transaction.atomic
def risk_raise_from_incident(
    *, village_election: VillageElection, level: int, reason: str, actor: AbstractBaseUser
) -> VillageRisk | None:
    """A rule of the operation raises a village's level (a severity-3 incident): no desk role needed.

    The caller has already checked that ``actor`` may report on the village; the override names him
    and the incident in its reason. Never lowers: an override already at or above ``level`` (the
    Kabag Ops' own decision) stays as it is, and None is returned.
    """
    current = _locked_risk(village_election).override_level
    if current is not None and current >= level:
        return None
    return _apply_override(village_election=village_election, level=level, reason=reason, actor=actor)


def _apply_override(
    *, village_election: VillageElection, level: int, reason: str, actor: AbstractBaseUser
) -> VillageRisk:
    """The one way a level is overridden: checked, the risk row locked, the rankings refreshed."""
    errors = {}
    if level not in RiskLevel.values:
        errors["level"] = [_("Tingkat kerawanan tidak dikenal.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Alasan penetapan tingkat wajib diisi.")]
    if errors:
        raise ValidationError(errors)
    risk = _locked_risk(village_election)
    before = events.effective_level(risk)
    risk.override_level = level
    risk.override_reason = reason.strip()
    risk.override_by = actor
    risk.override_at = timezone.now()
    risk.save()
    standings_refresh_for_village_elections(village_election_ids=[village_election.pk])
    events.level_event(risk, before)
    return risk


@transaction.atomic
def risk_override_clear(*, village_election: VillageElection, by: AbstractBaseUser) -> VillageRisk:
    _require_verifier(by)
    risk = _locked_risk(village_election)
    before = events.effective_level(risk)
    risk.override_level = None
    risk.override_reason = ""
    risk.override_by = None
    risk.override_at = None
    risk.save()
    standings_refresh_for_village_elections(village_election_ids=[village_election.pk])
    events.level_event(risk, before)
    return risk


@transaction.atomic
def risk_recompute_all() -> int:
    """Rebuild every VillageRisk from the latest verified report, then every operation's ranking.

    Uses each report's frozen score and level: verification is a decision taken with the weights
    of its day, so a later catalogue edit does not silently re-grade old reports. Overrides stay.
    Returns the number of village elections with a verified report.
    """
    latest = (
        RiskReport.objects.verified()
        .filter(village_election_id=OuterRef("pk"))
        .order_by("-decided_at", "-pk")
        .values("pk")[:1]
    )
    current = dict(
        VillageElection.objects.annotate(report_id=Subquery(latest))
        .filter(report_id__isnull=False)
        .values_list("pk", "report_id")
    )
    reports = RiskReport.objects.in_bulk(current.values())
    known = set(VillageRisk.objects.select_for_update().values_list("village_election_id", flat=True))
    risks = []
    for village_election_id in known | set(current):
        risk = VillageRisk(village_election_id=village_election_id)
        report_id = current.get(village_election_id)
        _point_risk_at(risk, reports[report_id] if report_id else None)
        risks.append(risk)
    # An upsert keeps overrides and is linear; Django's bulk_update builds a CASE per row and
    # takes minutes at national scale.
    VillageRisk.objects.bulk_create(
        risks,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["village_election"],
        update_fields=["report", "score", "computed_level", "last_report_at", "has_unknown"],
    )
    for operation in Operation.objects.all():
        standings_refresh(operation=operation)
    return len(current)
