"""Writes of the setup data (units, jurisdictions, BKO contingents, operations, elections, village
elections, candidates, desa) for the API: the rules the admin applies, in one place.

Each function checks the row with the model's ``full_clean`` (fields, ``clean()``, constraints),
saves it and then does what the admin does after a save: the ranking rows that copy the row's values
are refreshed (operations/admin/risk.py, organisation.py). A refresh that cannot rank (a pattern set
missing a level) is an error here, so the whole write is rolled back instead of half-applied.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import Assignment, BkoContingent, Jurisdiction, Operation, Unit
from operations.services.standings import (
    standings_refresh,
    standings_refresh_for_village_elections,
    standings_refresh_places,
)
from pilkades.errors import WrongState
from villages.models import Candidate, Desa, Election, VillageElection


def _stored(instance, *fields: str) -> dict | None:
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).values(*fields).first()


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    unit.full_clean()
    if unit.pk is not None and unit.kind != Unit.Kind.POLSEK and unit.jurisdictions.exists():
        # Jurisdiction.clean: only a Polsek holds kecamatan; hand them over before changing its kind.
        raise ValidationError(
            {"kind": _("Satuan ini masih memiliki wilayah kecamatan; hanya Polsek yang memilikinya.")}
        )
    unit.save()
    standings_refresh_places(unit_ids=[unit.pk])
    return unit


@transaction.atomic
def jurisdiction_save(*, jurisdiction: Jurisdiction) -> Jurisdiction:
    before = _stored(jurisdiction, "unit_id", "kecamatan_id") or {}
    jurisdiction.full_clean()
    jurisdiction.save()
    standings_refresh_places(
        unit_ids={jurisdiction.unit_id, before.get("unit_id")} - {None},
        kecamatan_ids={jurisdiction.kecamatan_id, before.get("kecamatan_id")} - {None},
    )
    return jurisdiction


@transaction.atomic
def jurisdiction_delete(*, jurisdiction: Jurisdiction) -> None:
    kecamatan_id = jurisdiction.kecamatan_id
    jurisdiction.delete()
    standings_refresh_places(kecamatan_ids=[kecamatan_id])


# A contingent moves forward only: expected → arrived → released (or released without arriving).
BKO_NEXT = {
    BkoContingent.Status.EXPECTED: {BkoContingent.Status.ARRIVED, BkoContingent.Status.RELEASED},
    BkoContingent.Status.ARRIVED: {BkoContingent.Status.RELEASED},
    BkoContingent.Status.RELEASED: set(),
}


@transaction.atomic
def bko_contingent_save(*, contingent: BkoContingent) -> BkoContingent:
    """Save a contingent; its status only moves forward, and the arrival and release dates default
    to today. Releasing (or taking back the arrival of) a contingent whose officers still hold
    postings of the operation is refused naming how many: the assignment service posts BKO officers
    only while their contingent has arrived."""
    before = None
    if contingent.pk is not None:
        before = (
            BkoContingent.objects.select_for_update()
            .filter(pk=contingent.pk)
            .values("status", "unit_id", "operation_id")
            .first()
        )
    contingent.full_clean()
    errors = {}
    unit = contingent.unit
    if not unit.supplies_bko:
        errors["unit"] = _("Satuan %(unit)s bukan pemasok BKO.") % {"unit": unit.name}
    previous = before["status"] if before else BkoContingent.Status.EXPECTED
    if contingent.status != previous and contingent.status not in BKO_NEXT[previous]:
        errors["status"] = _("Status kontingen tidak dapat berubah dari %(from)s ke %(to)s.") % {
            "from": BkoContingent.Status(previous).label,
            "to": BkoContingent.Status(contingent.status).label,
        }
    if (
        before
        and previous == BkoContingent.Status.ARRIVED
        and (
            contingent.status != BkoContingent.Status.ARRIVED
            or contingent.unit_id != before["unit_id"]
            or contingent.operation_id != before["operation_id"]
        )
    ):
        held = (
            Assignment.objects.filter(operation_id=before["operation_id"], officer__unit_id=before["unit_id"])
            .exclude(operation__status=Operation.Status.CLOSED)
            .count()
        )
        if held:
            errors["status"] = _(
                "%(count)s personel kontingen ini masih ditugaskan pada operasi ini; lepas penugasannya dulu."
            ) % {"count": held}
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    if contingent.status == BkoContingent.Status.ARRIVED:
        contingent.arrived_on = contingent.arrived_on or today
    if contingent.status == BkoContingent.Status.RELEASED:
        contingent.released_on = contingent.released_on or today
    contingent.save()
    return contingent


def require_open(operation: Operation) -> None:
    """Refuse a write to a closed operation: its final report is written, writes stop (409 in the API)."""
    if operation.status == Operation.Status.CLOSED:
        raise WrongState(_("Operasi %(name)s sudah ditutup.") % {"name": operation.name})


@transaction.atomic
def operation_save(*, operation: Operation) -> Operation:
    """Save an operation and recompute its ranking (pattern set, unassessed level, escorts)."""
    operation.full_clean()
    operation.save()
    standings_refresh(operation=operation)
    return operation


@transaction.atomic
def election_save(*, election: Election) -> Election:
    election.full_clean()
    election.save()
    return election


@transaction.atomic
def village_election_save(*, village_election: VillageElection) -> VillageElection:
    """TPS, voters, committee, status: the ranking rows of every operation covering it follow."""
    village_election.full_clean()
    village_election.save()
    standings_refresh_for_village_elections(village_election_ids=[village_election.pk])
    return village_election


@transaction.atomic
def candidate_save(*, candidate: Candidate) -> Candidate:
    """A candidate's escort flag and status change his village's need; a moved one, two villages'."""
    before = _stored(candidate, "village_election_id") or {}
    candidate.full_clean()
    candidate.save()
    ids = {candidate.village_election_id, before.get("village_election_id")} - {None}
    standings_refresh_for_village_elections(village_election_ids=ids)
    return candidate


@transaction.atomic
def desa_save(*, desa: Desa) -> Desa:
    """Coordinates, sea access, access notes, name: the ranking rows copy the place's names."""
    desa.full_clean()
    desa.save()
    standings_refresh_places(desa_ids=[desa.pk])
    return desa
