"""Who may do what on election day: plain predicates over the desk roles of operations.permissions.

Pages, API and admin call these; the services call them too, so no edge can forget one. A Polsek's
officers act only on their own postings and on villages of their Polsek's kecamatan; HQ reads all;
only the Kabag Ops triages, dispatches and closes.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.db import connection

from operations import permissions as desk
from operations.models import Assignment, Officer
from operations.selectors.deployment import team_leader
from pilkades import sqlrows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from villages.models import VillageElection

    User = AbstractBaseUser | AnonymousUser

is_hq = desk.is_hq
is_kabag_ops = desk.is_kabag_ops


def officer_of(user: User) -> Officer | None:
    """The officer record behind a login (cached on the user for the request), or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_officer_record"):
        user._officer_record = Officer.objects.filter(user=user, is_active=True).first()
    return user._officer_record


def can_use_field_pages(user: User) -> bool:
    """The phone pages: anyone with an officer record (his postings) or a Polsek/Kabag Ops login."""
    return officer_of(user) is not None or desk.is_polsek(user) or desk.is_kabag_ops(user)


def _is_officer(user: User, officer: Officer) -> bool:
    """The officer record is the user's own (the one ``officer_of`` finds), read off a loaded row."""
    return user.is_authenticated and officer.user_id == user.pk and officer.is_active


def leads_team_of(user: User, assignment: Assignment) -> bool:
    """The user's officer leads the village team the posting belongs to."""
    if not user.is_authenticated or assignment.village_election_id is None:
        return False
    team = list(
        Assignment.objects.filter(
            operation_id=assignment.operation_id,
            stage=assignment.stage,
            village_election_id=assignment.village_election_id,
        ).select_related("officer")
    )
    leader = team_leader(team=team)
    return leader is not None and _is_officer(user, leader.officer)


def can_check_in(user: User, assignment: Assignment) -> bool:
    """His own posting, his team's as team leader, or any as Kabag Ops (a report by radio)."""
    if desk.is_kabag_ops(user):
        return True
    if not user.is_authenticated:
        return False
    return _is_officer(user, assignment.officer) or leads_team_of(user, assignment)


def _in_area(user: User, village_election: VillageElection) -> bool:
    ids = desk.jurisdiction_kecamatan_ids(user)
    return ids is None or village_election.desa.kecamatan_id in ids


@functools.cache
def _posted_statement(vendor: str) -> str:
    return f"""
        SELECT 1 FROM {sqlrows.table(Assignment, "a")}
        JOIN {sqlrows.table(Officer, "f")} ON f.id = a.officer_id
        WHERE f.user_id = %s AND f.is_active AND a.operation_id = %s AND a.village_election_id = %s
        LIMIT 1
    """


def _posted_at(user: User, operation_id: int, village_election_id: int) -> bool:
    """Posted to the village in this operation: the user's active officer and his posting, joined
    in one read (the same rows as ``officer_of`` then his postings). Hand-written: every progress
    step and incident of an officer asks it, and the ORM's compiling of it cost more than the read."""
    if not user.is_authenticated:
        return False
    with sqlrows.cursor() as cursor:
        cursor.execute(_posted_statement(connection.vendor), [user.pk, operation_id, village_election_id])
        return cursor.fetchone() is not None


def can_update_progress(user: User, *, operation_id: int, village_election: VillageElection) -> bool:
    """Kabag Ops, a Polsek login of the village's area, or an officer posted to the village."""
    if desk.is_kabag_ops(user):
        return True
    if desk.is_polsek(user) and _in_area(user, village_election):
        return True
    return _posted_at(user, operation_id, village_election.pk)


def can_report_incident(user: User, *, operation_id: int, village_election: VillageElection) -> bool:
    """Same reach as progress: HQ staff logging a call, a Polsek of the area, an officer posted there."""
    return can_update_progress(user, operation_id=operation_id, village_election=village_election)


def can_triage(user: User) -> bool:
    return desk.is_kabag_ops(user)


def can_see_board(user: User) -> bool:
    """The Posko board and the Lapsit: HQ (the Kapolres reads, the Kabag Ops acts)."""
    return desk.is_hq(user)


def can_see_photo_location(user: User) -> bool:
    """The EXIF position of a photo is for HQ only."""
    return desk.is_hq(user)


def visible_kecamatan_ids(user: User):
    """Rows a user may read (None = all): HQ all; a Polsek its area; others none."""
    return desk.jurisdiction_kecamatan_ids(user)
