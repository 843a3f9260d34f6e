"""How a person is named to other users, everywhere the desk shows one (pages, the board, the API's
messages, the Lapsit): his officer's rank and name ("AKBP Budi Santoso"); a login without an
officer: its full name, else its username."""

from __future__ import annotations

import functools

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import get_language

from operations.models import Officer
from operations.ranks import Pangkat


def choice_label(choices, value) -> str:
    """A choice's label through its enum, in the active language. Not get_FOO_display(): that
    hashes, and so translates, every label of the field's choices on each call (some 40 ranks per
    officer on the board). Each label is translated once per language and process: the board's
    list of officers not arrived names up to 500 ranks and duties per refresh."""
    return _label(choices, value, get_language())


@functools.lru_cache(maxsize=4096)
def _label(choices, value, language: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def officer_name(rank: str, name: str) -> str:
    return f"{choice_label(Pangkat, rank)} {name}"


def person_text(*, rank: str | None, name: str | None, full_name: str, username: str) -> str:
    """The rule on plain values (lists read with values_list)."""
    return officer_name(rank, name) if name else (full_name.strip() or username)


def person_label(who) -> str:
    """The rule for an officer or a user. Reads ``user.officer``: select it with the user on lists."""
    if who is None:
        return ""
    officer = who
    if not isinstance(who, Officer):
        try:
            officer = who.officer
        except (ObjectDoesNotExist, AttributeError):
            officer = None
    if officer is not None:
        return officer_name(officer.rank, officer.name)
    full_name = getattr(who, "get_full_name", lambda: "")()
    return person_text(rank=None, name=None, full_name=full_name, username=who.get_username())
