"""A person as the desk shows him: rank and name ("AKBP Budi Santoso"), never a login name."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from operations.models import Officer

register = template.Library()


def person_label(who) -> str:
    """Rank and name of an officer or of the officer behind a login; a login without one: its full
    name, else its username. Reads ``user.officer``: select it with the user on lists."""
    if who is None:
        return ""
    officer = who
    if not isinstance(who, Officer):
        try:
            officer = who.officer
        except (ObjectDoesNotExist, AttributeError):
            officer = None
    if officer is not None:
        return f"{officer.get_rank_display()} {officer.name}"
    full_name = getattr(who, "get_full_name", lambda: "")()
    return full_name or who.get_username()


@register.filter
def person(who) -> str:
    return person_label(who)
