"""The API's JSON parser: bad or hostile bodies end as a 400 in the shared error shape, never a 500."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No body of this API nests deeper than a few levels (a report's answers are three); anything far
# deeper is an attack on the recursion of whatever reads it next (validation, error rendering).
MAX_DEPTH = 32


def _depth_exceeds(data: object, limit: int) -> bool:
    """True when ``data`` nests lists or objects more than ``limit`` deep. Iterative: no recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's parser, with the decoder's recursion failure and absurd nesting answered as a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("JSON terlalu dalam.")) from exc
        except ParseError as exc:
            # DRF's text is English ("JSON parse error - ..."); the decoder's position stays.
            reason = str(exc.detail).removeprefix("JSON parse error - ")
            raise ParseError(_("JSON tidak valid: %(reason)s") % {"reason": reason}) from exc
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(
                _("JSON terlalu dalam (paling banyak %(limit)d tingkat).") % {"limit": MAX_DEPTH}
            )
        return data
