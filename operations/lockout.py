"""How long a login lockout lasts, in words: for the lockout page and the token endpoint's answer.

django-axes locks a username at an address after ``AXES_FAILURE_LIMIT`` failures, for
``AXES_COOLOFF_TIME`` after the last failed attempt (an attempt while locked starts it again).
"""

from __future__ import annotations

import datetime
import math

from axes.helpers import get_cool_off
from django.http import HttpRequest
from django.utils.translation import ngettext


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta | None:
    """The lockout's length as configured (a timedelta, hours or a callable); None: until lifted."""
    return get_cool_off(request)


def duration_text(delta: datetime.timedelta) -> str:
    """ "30 menit", "1 jam 30 menit", "2 hari": whole minutes, rounded up."""
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d hari", "%(count)d hari", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d jam", "%(count)d jam", hours) % {"count": hours})
    if minutes:
        parts.append(ngettext("%(count)d menit", "%(count)d menit", minutes) % {"count": minutes})
    return " ".join(parts)
