"""A person as the desk shows him: rank and name ("AKBP Budi Santoso"), never a login name."""

from django import template

from operations.naming import person_label

register = template.Library()


@register.filter
def person(who) -> str:
    return person_label(who)
