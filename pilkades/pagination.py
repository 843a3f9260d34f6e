from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

MODES = ("page", "cursor")


class SyncCursorPagination(CursorPagination):
    """For a client that walks a whole list to sync: pages by id, so a row added or removed while
    it walks neither shifts nor repeats another (page numbers do), and no page counts the list.
    Always by id: a cursor needs one unique, stable order, whatever ``ordering`` asks."""

    ordering = ("pk",)
    page_size_query_param = "page_size"

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return self.ordering

    def get_page_size(self, request) -> int:
        """The size StandardPagination read, checked and capped (DRF's own would read the query
        again, uncapped: a 30-digit size reached the database's LIMIT)."""
        return self.page_size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [_("Kursor halaman tidak sah.")]}) from exc


class StandardPagination(PageNumberPagination):
    """Page numbers (with a count) by default; ``?paginate=cursor`` walks the list by cursor
    (SyncCursorPagination), the ``next`` link carrying the mode and the cursor."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    mode_query_param = "paginate"
    _cursor: SyncCursorPagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        mode = request.query_params.get(self.mode_query_param, "") or "page"
        if mode not in MODES:
            raise ValidationError({self.mode_query_param: [_("Pilih page atau cursor.")]})
        if mode == "page":
            return super().paginate_queryset(queryset, request, view)
        self._cursor = SyncCursorPagination()
        self._cursor.page_size = self.get_page_size(request)
        return self._cursor.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._cursor is not None:
            return self._cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        documented = super().get_paginated_response_schema(schema)
        documented["required"] = ["results"]
        documented["properties"]["count"]["description"] = _("Tidak ada pada paginate=cursor.")
        return documented

    def get_page_size(self, request) -> int:
        """The page size asked for, capped at ``max_page_size``; one that is no whole number >= 1 is a 400.

        DRF silently falls back to the default (``page_size=null`` answered 50 rows), so a client's
        mistake went unnoticed. An empty value means "the default", as for the filters.
        """
        given = request.query_params.get(self.page_size_query_param, "")
        if given == "":
            return self.page_size
        if not given.isascii() or not given.isdigit() or int(given) < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Isi dengan bilangan bulat 1 sampai %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return min(int(given), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = _("Baris per halaman, paling banyak %(max)d.") % {
                    "max": self.max_page_size
                }
        return [
            *parameters,
            {
                "name": self.mode_query_param,
                "required": False,
                "in": "query",
                "description": _(
                    "page (bawaan): nomor halaman dan count. cursor: untuk sinkronisasi, berurutan "
                    "menurut id; ikuti tautan next."
                ),
                "schema": {"type": "string", "enum": list(MODES)},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": _("Dengan paginate=cursor: dari tautan next/previous."),
                "schema": {"type": "string"},
            },
        ]
