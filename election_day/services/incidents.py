"""Incidents (kejadian): reported from the phone or by the Posko, triaged by the Kabag Ops.

new → acknowledged → dispatched → resolved; every step stamped with its time and its actor, and
kept in the incident's history. Two HQ users acting on one incident at once: the row is locked,
the first wins, the second gets a Conflict naming who acted and when.

A severity-3 incident makes its village Sangat Rawan as soon as it is reported, through
operations' own override rule (``risk_raise_from_incident``: the same path as the Kabag Ops'
override, without the desk-role check, never lowering his own decision), with the incident as the
reason. The ranking shows it as an override; needs and the board follow.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from election_day import permissions
from election_day.models import Incident, IncidentCategory, IncidentPhoto
from election_day.photos import Photo
from election_day.services.common import Conflict, actor_name, board_changed, require_same_request
from operations.models import Operation, RiskLevel
from operations.services.reports import risk_raise_from_incident
from operations.services.setup import require_open
from villages.models import VillageElection

MAX_PHOTOS = 5
State = Incident.State


def _store_photos(incident: Incident, photos: Sequence[Photo], by: AbstractBaseUser) -> list[IncidentPhoto]:
    stored: list[IncidentPhoto] = []
    try:
        for photo in photos:
            row = IncidentPhoto(
                incident=incident,
                token=uuid.uuid4(),
                width=photo.width,
                height=photo.height,
                gps_latitude=photo.gps[0] if photo.gps else None,
                gps_longitude=photo.gps[1] if photo.gps else None,
                uploaded_by=by,
            )
            row.image.save("foto.jpg", ContentFile(photo.content), save=False)
            row.save()
            stored.append(row)
    except Exception:
        for row in stored:
            row.image.delete(save=False)
        raise
    return stored


def _raise_level(incident: Incident, by: AbstractBaseUser) -> None:
    """Severity 3: the village becomes Sangat Rawan for the rest of the operation, the incident its reason."""
    if incident.severity != 3:
        return
    risk_raise_from_incident(
        village_election=incident.village_election,
        level=RiskLevel.SANGAT_RAWAN,
        reason=_("Kejadian #%(id)d tingkat 3 (%(category)s), dilaporkan %(who)s: %(text)s")
        % {
            "id": incident.pk,
            "category": incident.category.name,
            "who": actor_name(by),
            "text": incident.description[:200],
        },
        actor=by,
    )
    incident.level_raised_at = timezone.now()
    incident.save(update_fields=["level_raised_at"])


def _replay(existing: Incident, *, sent: dict, by: AbstractBaseUser) -> Incident:
    """The first incident, if ``sent`` is the request that stored it (photos aside: the stored
    copies are re-encoded, and more may have been added since)."""
    require_same_request(
        stored={
            "operation": existing.operation_id,
            "village_election": existing.village_election_id,
            "category": existing.category_id,
            "severity": existing.severity,
            "description": existing.description,
            "source": existing.source,
            "client_time": existing.client_time,
        },
        sent=sent,
        same_sender=existing.reported_by_id == by.pk,
    )
    return existing


def incident_report(
    *,
    operation: Operation,
    village_election: VillageElection,
    category: IncidentCategory,
    severity: int,
    description: str,
    by: AbstractBaseUser,
    photos: Sequence[Photo] = (),
    source: str = Incident.Source.FIELD,
    idempotency_key: uuid.UUID | None = None,
    client_time: datetime | None = None,
) -> tuple[Incident, bool]:
    """Record an incident with its checked photos (see election_day.photos); returns (incident, created).

    The same request again (same key) returns the first incident; the same key from another reporter or
    with any field changed is refused (KeyReused). As for progress steps, the key is read only when the
    write does not go through: refused, or stopped by the key's unique constraint before any photo is
    stored.
    """
    try:
        return _report(
            operation=operation,
            village_election=village_election,
            category=category,
            severity=severity,
            description=description,
            by=by,
            photos=photos,
            source=source,
            idempotency_key=idempotency_key,
            client_time=client_time,
        ), True
    except (ValidationError, PermissionDenied, IntegrityError):
        existing = (
            Incident.objects.filter(idempotency_key=idempotency_key).first()
            if idempotency_key is not None
            else None
        )
        if existing is None:
            raise
        sent = {
            "operation": operation.pk,
            "village_election": village_election.pk,
            "category": category.pk,
            "severity": severity,
            "description": (description or "").strip(),
            "source": source,
            "client_time": client_time,
        }
        return _replay(existing, sent=sent, by=by), False


@transaction.atomic
def _report(
    *,
    operation: Operation,
    village_election: VillageElection,
    category: IncidentCategory,
    severity: int,
    description: str,
    by: AbstractBaseUser,
    photos: Sequence[Photo],
    source: str,
    idempotency_key: uuid.UUID | None,
    client_time: datetime | None,
) -> Incident:
    errors: dict[str, list[str]] = {}
    if not permissions.can_report_incident(by, operation_id=operation.pk, village_election=village_election):
        errors["village_election"] = [_("Desa ini di luar wilayah atau penugasan Anda.")]
    if village_election.election_id != operation.election_id:
        errors["village_election"] = [_("Desa ini tidak termasuk pilkades operasi ini.")]
    if not category.is_active:
        errors["category"] = [_("Kategori ini tidak aktif.")]
    if severity not in (1, 2, 3):
        errors["severity"] = [_("Tingkat kejadian 1 sampai 3.")]
    if not (description or "").strip():
        errors["description"] = [_("Uraian kejadian wajib diisi.")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Paling banyak %(n)d foto per laporan.") % {"n": MAX_PHOTOS}]
    if source not in Incident.Source.values:
        errors["source"] = [_("Sumber tidak dikenal.")]
    elif source == Incident.Source.POSKO and not permissions.is_hq(by):
        errors["source"] = [_("Hanya staf Polres (Posko) yang mencatat laporan dari Posko.")]
    if errors:
        raise ValidationError(errors)
    require_open(operation)
    incident = Incident.objects.create(
        operation=operation,
        village_election=village_election,
        category=category,
        severity=severity,
        description=description.strip(),
        source=source,
        reported_by=by,
        idempotency_key=idempotency_key,
        client_time=client_time,
    )
    stored = _store_photos(incident, photos, by)
    _raise_level(incident, by)
    board_changed(operation_id=operation.pk, parts=("incidents",))
    # The answer lists the photos just stored: hand them over as a prefetch would (Django's own
    # prefetch fills a queryset's result cache the same way), rather than reading them back.
    photos_now = incident.photos.all()
    photos_now._result_cache, photos_now._prefetch_done = stored, True
    incident._prefetched_objects_cache = {"photos": photos_now}
    return incident


@transaction.atomic
def incident_add_photos(
    *, incident: Incident, photos: Sequence[Photo], by: AbstractBaseUser
) -> list[IncidentPhoto]:
    """More photos for a reported incident: its reporter or HQ staff, while it is open."""
    incident = (
        Incident.objects.select_for_update(of=("self",)).select_related("operation").get(pk=incident.pk)
    )
    if incident.reported_by_id != by.pk and not permissions.is_kabag_ops(by):
        raise PermissionDenied(_("Hanya pelapor atau Kabag Ops yang dapat menambah foto."))
    require_open(incident.operation)
    if incident.state == State.RESOLVED:
        raise ValidationError({"photos": [_("Kejadian sudah selesai ditangani.")]})
    if incident.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("Paling banyak %(n)d foto per laporan.") % {"n": MAX_PHOTOS}]})
    stored = _store_photos(incident, photos, by)
    board_changed(operation_id=incident.operation_id, parts=("incidents",))
    return stored


def _when(moment) -> str:
    return time_format(timezone.localtime(moment), "H:i:s")


def already_handled(incident: Incident) -> Conflict:
    """The message for the slower of two HQ users: who did what, when."""
    if incident.state == State.RESOLVED:
        who, when, what = incident.resolved_by, incident.resolved_at, _("diselesaikan")
    elif incident.state == State.DISPATCHED:
        who, when, what = incident.dispatched_by, incident.dispatched_at, _("dikirimi tim")
    else:
        who, when, what = incident.acknowledged_by, incident.acknowledged_at, _("diterima")
    return Conflict(
        _("Kejadian #%(id)d sudah %(what)s oleh %(who)s pukul %(time)s.")
        % {"id": incident.pk, "what": what, "who": actor_name(who), "time": _when(when)}
    )


def lock_for_triage(incident: Incident, by: AbstractBaseUser, *, allowed: Sequence[str]) -> Incident:
    if not permissions.can_triage(by):
        raise PermissionDenied(_("Hanya Kabag Ops yang menangani kejadian."))
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related(
            "operation",
            "category",
            "village_election__desa",
            "acknowledged_by",
            "dispatched_by",
            "resolved_by",
        )
        .get(pk=incident.pk)
    )
    require_open(locked.operation)
    if locked.state not in allowed:
        raise already_handled(locked)
    return locked


def mark_acknowledged(incident: Incident, by: AbstractBaseUser, now) -> None:
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by = now, by


@transaction.atomic
def incident_acknowledge(*, incident: Incident, by: AbstractBaseUser) -> Incident:
    incident = lock_for_triage(incident, by, allowed=[State.NEW])
    mark_acknowledged(incident, by, timezone.now())
    incident.state = State.ACKNOWLEDGED
    incident.save()
    board_changed(operation_id=incident.operation_id, parts=("incidents",))
    return incident


@transaction.atomic
def incident_resolve(*, incident: Incident, note: str, by: AbstractBaseUser) -> Incident:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Catatan penyelesaian wajib diisi.")})
    incident = lock_for_triage(incident, by, allowed=[State.NEW, State.ACKNOWLEDGED, State.DISPATCHED])
    now = timezone.now()
    mark_acknowledged(incident, by, now)
    incident.state = State.RESOLVED
    incident.resolved_at, incident.resolved_by, incident.resolution_note = now, by, note
    incident.save()
    board_changed(operation_id=incident.operation_id, parts=("incidents",))
    return incident
