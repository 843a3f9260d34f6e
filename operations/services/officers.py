"""Writes of an officer's record that his postings depend on: home desa, unit, active.

A posting (Assignment) carries copies of the officer's home desa and Polsek so the database itself
refuses a posting that breaks neutrality or jurisdiction. Every write of an officer (the admin's form,
the roster import) goes through ``officer_save``: under the officer's row lock, the same lock the
assignment service takes, it refuses a change that would break a posting of an operation not yet
closed, naming the postings, and otherwise copies the new values into them in the same transaction.

A closed operation's postings are history: they keep the values of their day and never block a
change (an officer may move house or retire after the operation ended).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from operations.models import Assignment, BkoContingent, Duty, Officer, Operation, Unit


def _open_postings(officer_id: int):
    return Assignment.objects.filter(officer_id=officer_id).exclude(operation__status=Operation.Status.CLOSED)


def _posting_label(posting: Assignment) -> str:
    if posting.village_election_id is not None:
        place = _("Desa %(desa)s") % {"desa": posting.village_election.desa.name}
    elif posting.duty == Duty.PATROL:
        place = _("patroli Kecamatan %(kecamatan)s") % {"kecamatan": posting.kecamatan.name}
    else:
        place = _("cadangan di Mako")
    return _("%(place)s (%(operation)s, tahap %(stage)s)") % {
        "place": place,
        "operation": posting.operation.name,
        "stage": posting.get_stage_display(),
    }


def _polsek_id(unit: Unit) -> int | None:
    return unit.pk if unit.kind == Unit.Kind.POLSEK else None


def officer_change_errors(*, officer: Officer) -> dict[str, list[str]]:
    """Field → message naming the postings the officer's values (as in memory) would break.

    The same rules the assignment service checks when posting, applied to the postings he holds.
    """
    if officer.pk is None:
        return {}
    postings = list(
        _open_postings(officer.pk)
        .select_related("operation", "village_election__desa", "kecamatan")
        .order_by("operation__starts_on", "stage", "pk")
    )
    if not postings:
        return {}
    unit = officer.unit
    polsek_id = _polsek_id(unit)
    arrived = set()
    if unit.supplies_bko:
        arrived = set(
            BkoContingent.objects.filter(
                unit=unit,
                status=BkoContingent.Status.ARRIVED,
                operation__in={p.operation_id for p in postings},
            ).values_list("operation_id", flat=True)
        )
    broken: dict[str, list[str]] = defaultdict(list)
    for posting in postings:
        label = _posting_label(posting)
        if not officer.is_active:
            broken["is_active"].append(label)
        if posting.desa_id is not None and posting.desa_id == officer.home_desa_id:
            broken["home_desa"].append(label)
        if (
            posting.duty != Duty.RESERVE
            and polsek_id is not None
            and posting.kecamatan_id is not None
            and posting.area_polsek_id != polsek_id
        ):
            broken["unit_area"].append(label)
        if unit.supplies_bko and posting.operation_id not in arrived:
            broken["unit_bko"].append(label)

    messages = {
        "is_active": _(
            "Personel ini masih ditugaskan di %(postings)s; lepas penugasan itu dulu "
            "sebelum menonaktifkannya."
        ),
        "home_desa": _(
            "Personel ini ditugaskan di %(postings)s, desa yang diisi sebagai tempat tinggalnya "
            "(netralitas); lepas penugasan itu dulu."
        ),
        "unit_area": _(
            "Personel ini ditugaskan di %(postings)s, di luar wilayah hukum %(unit)s; "
            "lepas penugasan itu dulu."
        ),
        "unit_bko": _(
            "Personel ini ditugaskan di %(postings)s, sedangkan kontingen BKO %(unit)s belum tiba pada "
            "operasi itu; lepas penugasan itu dulu."
        ),
    }
    errors: dict[str, list[str]] = defaultdict(list)
    for key, labels in broken.items():
        field = "unit" if key.startswith("unit_") else key
        errors[field].append(messages[key] % {"postings": "; ".join(labels), "unit": unit.name})
    return dict(errors)


@transaction.atomic
def officer_save(*, officer: Officer) -> Officer:
    """Save an officer (new or changed) and keep his open postings' copies of him current."""
    if officer.pk is not None:
        # The assignment service locks the officer's row before checking a posting: a posting and
        # this change are serialised, so neither checks against a state the other is replacing.
        list(Officer.objects.select_for_update().filter(pk=officer.pk).values_list("pk"))
    officer.full_clean()
    errors = officer_change_errors(officer=officer)
    if errors:
        raise ValidationError(errors)
    officer.save()
    _open_postings(officer.pk).update(
        officer_home_desa_id=officer.home_desa_id, officer_polsek_id=_polsek_id(officer.unit)
    )
    return officer
