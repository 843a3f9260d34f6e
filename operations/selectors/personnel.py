"""Reads for one officer's page: who he is, where he is posted, and the trail of his postings."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from operations.models import Assignment, Officer

HISTORY_ROWS = 50


@dataclass
class PersonnelProfile:
    officer: Officer
    postings: list[Assignment]
    # Posting history rows, newest first: created ("+"), changed ("~"), released ("-"), by whom.
    history: list[Model]


def personnel_profile(*, officer_id: int) -> PersonnelProfile:
    """Raises Officer.DoesNotExist. Three queries."""
    officer = Officer.objects.select_related("unit", "jabatan", "home_desa", "desa_binaan").get(pk=officer_id)
    postings = list(
        Assignment.objects.filter(officer=officer)
        .select_related("operation", "village_election__desa", "kecamatan", "candidate")
        .order_by("-operation__starts_on", "stage")
    )
    history = list(
        Assignment.history.filter(officer_id=officer.pk)
        .select_related("history_user__officer", "operation", "village_election__desa", "kecamatan")
        .order_by("-history_date", "-history_id")[:HISTORY_ROWS]
    )
    return PersonnelProfile(officer=officer, postings=postings, history=history)
