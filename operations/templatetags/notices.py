"""The nav's notice badge: how many reports came back (Polsek) or wait (Kabag Ops), as a link to
the list, refreshed without reload by static/js/notifications.js from the notices endpoint."""

from django import template
from django.template.loader import render_to_string
from django.utils.translation import ngettext

from operations.selectors.notifications import Notice, notice_for
from operations.templatetags.numbers import quantity_text

register = template.Library()


def notice_text(notice: Notice) -> str:
    count = quantity_text(notice.count)
    if notice.kind == "returned":
        return ngettext("%(count)s laporan dikembalikan", "%(count)s laporan dikembalikan", notice.count) % {
            "count": count
        }
    return ngettext(
        "%(count)s laporan menunggu verifikasi", "%(count)s laporan menunggu verifikasi", notice.count
    ) % {"count": count}


@register.simple_tag(takes_context=True)
def notice_badge(context) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    notice = notice_for(user=user)
    if notice is None:
        return ""
    return render_to_string("partials/notice_badge.html", {"notice": notice, "text": notice_text(notice)})
