from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

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
        return parameters
