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
from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from operations.models import Assignment, BkoContingent, Duty, Officer, Operation, Position, Unit
from operations.positions import match_position
from operations.services.officer_copy import copy_write
from villages.models import Desa


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


class RowErrors(ValidationError):
    """A bulk write refused: ``rows`` maps each bad row's index (from 0) to {field: [messages]}."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]):
        self.rows = dict(sorted(rows.items()))
        super().__init__([f"{index}: {fields}" for index, fields in self.rows.items()])


# The fields a bulk row may set, beside the NRP that names the officer.
UPSERT_FIELDS = ("name", "rank", "position", "unit", "home_desa", "phone", "is_active")
# The plain fields a row sets as sent, checked by the model field's own clean (required, choices,
# length, validators): what ``full_clean`` checks of them, without its per-row queries.
_PLAIN = ("name", "rank", "position", "phone", "is_active")


# Of those, the ones whose values repeat down a roster (a few ranks, titles, flags): a field's clean
# depends on the value alone, so each distinct value is checked once per call.
_REPEATING = frozenset({"rank", "position", "phone", "is_active"})


def _field_errors(officer: Officer, names, seen: dict | None = None) -> dict[str, list[str]]:
    """The model fields' own clean of ``names``; ``seen`` keeps the outcome of repeating values."""
    errors = {}
    for name in names:
        field = Officer._meta.get_field(name)
        value = getattr(officer, field.attname)
        key = (name, type(value), value) if seen is not None and name in _REPEATING else None
        try:
            outcome = seen.get(key) if key is not None else None
        except TypeError:  # an unhashable value (the API's serializer lets none through): no memo
            key = outcome = None
        if outcome is None:
            try:
                outcome = (field.clean(value, officer), None)
            except ValidationError as exc:
                outcome = (value, exc.messages)
            if key is not None:
                seen[key] = outcome
        cleaned, messages = outcome
        if messages:
            errors[name] = list(messages)
        else:
            setattr(officer, field.attname, cleaned)
    return errors


def _update_rows(officers: list[Officer], fields: frozenset[str]) -> None:
    """One UPDATE statement run for many rows (executemany: pipelined on PostgreSQL), instead of
    ``bulk_update``'s CASE per field and row, whose building cost grows with rows × fields."""
    quote = connection.ops.quote_name
    columns = [Officer._meta.get_field(name) for name in sorted(fields)]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Officer._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(Officer._meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(getattr(officer, field.attname), connection) for field in columns]
        + [officer.pk]
        for officer in officers
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def officers_upsert(
    *, rows: list[dict], by=None, reason: str | None = None, outcomes: list[str] | None = None
) -> dict[str, int]:
    """Create or change officers by NRP, all or none: the roster import's rules for thousands of rows.

    Each row holds ``nrp`` and any of ``name``, ``rank``, ``position``, ``unit_name``,
    ``home_desa_code`` (None clears it), ``phone``, ``is_active``; a key left out keeps the stored
    value (a new officer needs name, rank and unit). Related rows are resolved for the whole batch
    in one query each; each officer's fields are checked by the model fields' own ``clean``
    (every field of a new officer, the fields sent of a stored one) and by ``Officer.clean``'s rule
    on the catalogue read once: what ``full_clean`` checks, without its queries per row (the
    foreign keys are resolved here, the NRP's uniqueness checked set-wise). An officer holding
    postings of an open operation is checked by ``officer_change_errors`` like ``officer_save``.
    On PostgreSQL the batch is COPYed into a temporary table and written set-based (one INSERT,
    one UPDATE, one INSERT of history rows each: ``officer_copy.copy_write``); elsewhere (SQLite)
    changed officers are written one UPDATE per set of changed fields, run for all their rows,
    and the new ones and the history rows in bulk. Every officer created or changed gets a
    history row naming ``by``; unchanged rows write nothing. ``reason`` is the history rows'
    change reason (the roster import names its file); ``outcomes``, when given, receives each
    row's "new", "update" or "skip" in order (the admin's import preview shows them).
    """

    errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
    nrps = [str(row.get("nrp", "")) for row in rows]
    first_seen: dict[str, int] = {}
    for index, nrp in enumerate(nrps):
        if nrp in first_seen:
            errors[index]["nrp"] = [
                _("NRP ganda (sudah ada di baris %(index)s).") % {"index": first_seen[nrp]}
            ]
        else:
            first_seen[nrp] = index
    unit_names = {str(row["unit_name"]).strip().lower() for row in rows if row.get("unit_name")}
    all_units = {u.pk: u for u in Unit.objects.all()}
    units = {u.name.lower(): u for u in all_units.values() if u.name.lower() in unit_names}
    desa_codes = {row["home_desa_code"] for row in rows if row.get("home_desa_code")}
    desa_ids = dict(Desa.objects.filter(code__in=desa_codes).values_list("code", "pk"))
    positions = list(Position.objects.all())
    catalogue = [(p.pk, p.name, p.spelling_list()) for p in positions]
    categories = {p.pk: p.category for p in positions}
    matched: dict[str, int | None] = {}
    seen: dict = {}
    existing = {
        officer.nrp: officer
        for officer in Officer.objects.select_for_update().filter(nrp__in=list(first_seen)).order_by("pk")
    }
    for officer in existing.values():
        # The units were read above: no join and no Unit instance per officer.
        officer.unit = all_units[officer.unit_id]
    new, changed, touched = [], [], set()
    kinds = ["skip"] * len(rows)
    changed_fields: dict[int, frozenset[str]] = {}
    for index, row in enumerate(rows):
        nrp = nrps[index]
        officer = existing.get(nrp)
        is_new = officer is None
        if is_new:
            officer = Officer(nrp=nrp)
            before = {}
        else:
            before = {
                name: getattr(officer, Officer._meta.get_field(name).attname)
                for name in (*UPSERT_FIELDS, "jabatan")
            }
        for key in _PLAIN:
            if key in row:
                setattr(officer, key, row[key])
        if "position" in row:
            # A roster repeats a few titles thousands of times: each one matched once.
            if officer.position not in matched:
                matched[officer.position] = match_position(officer.position, catalogue)
            officer.jabatan_id = matched[officer.position]
        if row.get("unit_name"):
            unit = units.get(str(row["unit_name"]).strip().lower())
            if unit is None:
                errors[index]["unit_name"] = [
                    _("Satuan '%(name)s' tidak ditemukan.") % {"name": row["unit_name"]}
                ]
            else:
                officer.unit = unit
        elif officer.unit_id is None:
            errors[index]["unit_name"] = [_("Satuan wajib diisi.")]
        if "home_desa_code" in row:
            code = row["home_desa_code"]
            if code and code not in desa_ids:
                errors[index]["home_desa_code"] = [_("Desa %(code)s tidak ditemukan.") % {"code": code}]
            else:
                officer.home_desa_id = desa_ids.get(code) if code else None
        # A new officer: every field (the NRP too); a stored one: only the fields the row sends.
        checked = ("nrp", *_PLAIN) if is_new else [key for key in _PLAIN if key in row]
        for field, messages in _field_errors(officer, checked, seen).items():
            errors[index].setdefault(field, []).extend(messages)
        # Officer.clean's rule, on the catalogue read once: a desa binaan only for a Bhabinkamtibmas.
        if officer.desa_binaan_id and categories.get(officer.jabatan_id) != "bhabinkamtibmas":
            errors[index].setdefault("desa_binaan", []).append(_("Desa binaan hanya untuk Bhabinkamtibmas."))
        if index in errors:
            continue
        if is_new:
            new.append(officer)
            kinds[index] = "new"
            continue
        names = frozenset(
            name
            for name, value in before.items()
            if getattr(officer, Officer._meta.get_field(name).attname) != value
        )
        if names:
            changed.append(officer)
            changed_fields[officer.pk] = names
            touched.add(officer.pk)
            kinds[index] = "update"
    holding = set(
        Assignment.objects.filter(officer_id__in=touched)
        .exclude(operation__status=Operation.Status.CLOSED)
        .values_list("officer_id", flat=True)
    )
    for index, nrp in enumerate(nrps):
        officer = existing.get(nrp)
        if officer is not None and officer.pk in holding and index not in errors:
            for field, messages in officer_change_errors(officer=officer).items():
                errors[index].setdefault(field, []).extend(messages)
    if errors:
        raise RowErrors(errors)
    if outcomes is not None:
        outcomes[:] = kinds
    if connection.vendor == "postgresql":
        copy_write(new=new, changed=changed, user=by, new_reason=reason, changed_reason=reason or "")
    else:
        bulk_create_with_history(new, Officer, batch_size=1000, default_user=by, default_change_reason=reason)
        by_fields: dict[frozenset[str], list[Officer]] = defaultdict(list)
        for officer in changed:
            by_fields[changed_fields[officer.pk]].append(officer)
        for fields, officers in by_fields.items():
            _update_rows(officers, fields)
        Officer.history.bulk_history_create(
            changed, batch_size=1000, update=True, default_user=by, default_change_reason=reason or ""
        )
    for officer in changed:
        if officer.pk in holding:
            _open_postings(officer.pk).update(
                officer_home_desa_id=officer.home_desa_id, officer_polsek_id=_polsek_id(officer.unit)
            )
    return {"created": len(new), "updated": len(changed), "unchanged": len(rows) - len(new) - len(changed)}
