"""What waits for the logged-in user: reports returned to a Polsek, reports waiting for the Kabag Ops.

The nav's badge and its polling endpoint read this one function, so both always agree with the
list the badge links to (the Polsek's report list, the review queue)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from operations import permissions
from operations.models import RiskReport
from operations.selectors.reports import reports_of_author, review_queue


@dataclass(frozen=True)
class Notice:
    kind: str  # "waiting" (Kabag Ops) or "returned" (Polsek)
    count: int
    list_url_name: str


def has_notices(user: AbstractBaseUser) -> bool:
    return permissions.can_verify_reports(user) or permissions.is_polsek(user)


def notice_for(*, user: AbstractBaseUser) -> Notice | None:
    """One count query; None for a role nothing is waiting for."""
    if permissions.can_verify_reports(user):
        return Notice("waiting", review_queue().count(), "report-review")
    if permissions.is_polsek(user):
        returned = reports_of_author(author=user).filter(status=RiskReport.Status.RETURNED)
        return Notice("returned", returned.count(), "report-list")
    return None
