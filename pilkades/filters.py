"""The API's list filters: a value a filter cannot read is a 400 naming it, never "no filter".

django-filter reads a boolean it does not recognise (``?is_active=maybe``, ``-1``) as "not given" and
answers the whole list; here it is a field error. Every FilterSet of the API derives from ``FilterSet``
below, and the backend builds the ones views declare with ``filterset_fields`` from it too.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.widgets import BooleanWidget

TRUE_VALUES = {"true", "1"}
FALSE_VALUES = {"false", "0"}


class StrictBooleanWidget(BooleanWidget):
    """true/false/1/0 in any case; an empty or absent value is no filter; anything else is passed on."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str):
            lowered = value.lower()
            if lowered in TRUE_VALUES:
                return True
            if lowered in FALSE_VALUES:
                return False
            return value or None
        return value


class StrictBooleanField(forms.NullBooleanField):
    default_error_messages = {"invalid": _("Isi dengan true atau false.")}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StrictBooleanWidget)
        super().__init__(*args, **kwargs)


STRICT_FILTER_DEFAULTS = {
    **FILTER_FOR_DBFIELD_DEFAULTS,
    models.BooleanField: {"filter_class": StrictBooleanFilter},
    models.NullBooleanField: {"filter_class": StrictBooleanFilter},
}


class FilterSet(filters.FilterSet):
    FILTER_DEFAULTS = STRICT_FILTER_DEFAULTS


class FilterBackend(filters.DjangoFilterBackend):
    """DRF's django-filter backend, building ``filterset_fields`` filter sets from the strict base."""

    filterset_base = FilterSet
