"""The lockout page's duration in words (django-axes gives the template ``cooloff_timedelta``)."""

import datetime

from django import template

from operations.lockout import duration_text

register = template.Library()


@register.filter
def duration(delta: datetime.timedelta) -> str:
    return duration_text(delta)
