"""Role checks and the level badge for templates, from the same predicates the views use."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from operations import permissions
from operations.models import RiskLevel

register = template.Library()


@register.filter
def is_polsek(user) -> bool:
    return permissions.is_polsek(user)


@register.filter
def is_hq(user) -> bool:
    return permissions.is_hq(user)


@register.filter
def is_kabag_ops(user) -> bool:
    return permissions.is_kabag_ops(user)


@register.simple_tag
def level_badge(level: int | str | None) -> str:
    if not level:  # None, or "" when the template looked up a missing value
        return format_html('<span class="badge level-none">{}</span>', _("Belum dinilai"))
    return format_html('<span class="badge level-{}">{}</span>', level, RiskLevel(level).label)


@register.filter
def level_label(level: int | str | None) -> str:
    """A level's name as plain text ("Belum dinilai" when none), for sentences around the badges."""
    return RiskLevel(int(level)).label if level else _("Belum dinilai")
