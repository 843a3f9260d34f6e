"""Errors a service raises that the API answers with something other than a plain 400."""

from django.core.exceptions import ValidationError


class WrongState(ValidationError):
    """The object's state does not allow this transition (verify a verified report, submit a
    submitted one): the API answers 409 Conflict; pages and forms show the message like any other
    ``ValidationError``, which it still is."""
