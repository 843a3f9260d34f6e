"""Shared pieces of the API's input serializers."""

import copy
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Sent by the browsable API's HTML forms along with the fields; never a field itself.
FORM_KEYS = {"csrfmiddlewaretoken"}


class StrictInput:
    """For every serializer that reads a request body: a key it does not read is a 400 naming it.

    DRF ignores unknown keys, so a typo (``"sumbit": true``) silently left a draft, and a read-only
    field sent in a write (``"status": "verified"``) looked accepted. Both are field errors here,
    alongside any other errors of the same body. Nested serializers check their own keys.
    """

    def to_internal_value(self, data):
        refused = self._refused_keys(data)
        if isinstance(data, Mapping) and any(_holds_nul(data[key]) for key in refused):
            raise serializers.ValidationError(refused)  # before any lookup reaches the database
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if refused and isinstance(exc.detail, dict):
                exc.detail.update(serializers.ValidationError(refused).detail)
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value

    def _refused_keys(self, data) -> dict[str, list[str]]:
        if not isinstance(data, Mapping):
            return {}  # DRF answers "expected an object" itself
        refused = {}
        for key in data:
            field = self.fields.get(key)
            if field is None and key not in FORM_KEYS:
                refused[key] = [_("Field ini tidak dikenal.")]
            elif field is not None and field.read_only:
                refused[key] = [_("Field ini hanya dibaca; jangan dikirim.")]
            elif _holds_nul(data[key]):
                # PostgreSQL refuses NUL in any text, even in a lookup: a 500 unless caught here.
                refused[key] = [_("Karakter NUL tidak diperbolehkan.")]
        return refused


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


class NaturalKeys:
    """A relation written by id or by the key people use (``desa`` or ``desa_code``), never both.

    ``natural_keys`` maps each natural-key field to the id field of the same relation (same
    source). Both fields are optional to DRF; a relation named in ``natural_keys_required`` must be
    given one way or the other when a row is created.
    """

    natural_keys: dict[str, str] = {}
    natural_keys_required: tuple[str, ...] = ()

    def to_internal_value(self, data):
        clashes = {}
        if isinstance(data, Mapping):
            clashes = {
                natural: [
                    _("Kirim %(natural)s atau %(plain)s, bukan keduanya.")
                    % {"natural": natural, "plain": plain}
                ]
                for natural, plain in self.natural_keys.items()
                if natural in data and plain in data
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if clashes and isinstance(exc.detail, dict):
                exc.detail.update(serializers.ValidationError(clashes).detail)
            raise
        if clashes:
            raise serializers.ValidationError(clashes)
        if self.instance is None and not self.partial:
            missing = {}
            for plain in self.natural_keys_required:
                if self.fields[plain].source not in value:
                    natural = next(n for n, p in self.natural_keys.items() if p == plain)
                    missing[plain] = [_("Wajib diisi (atau %(natural)s).") % {"natural": natural}]
            if missing:
                raise serializers.ValidationError(missing)
        return value


class BuiltOnce:
    """For the busiest writes' serializers: the fields are built once per serializer class.

    DRF builds a ModelSerializer's fields anew for every instance, reading the model's fields each
    time: 1.7 ms for a check-in's 15 fields, twenty times the cost of rendering them; a plain
    Serializer deep-copies its declared fields (0.18 ms for the check-in's input, 0.05 here). Here
    the first instance builds them; every later one gets shallow copies, bound to itself as usual.
    Only for flat serializers (no nested serializer: a shallow copy would share its bound fields).
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            nested = [name for name, field in built.items() if isinstance(field, serializers.BaseSerializer)]
            if nested:
                raise TypeError(f"{cls.__name__}: BuiltOnce is for flat answers; nested: {nested}")
            cls._built_fields = built
        return {name: copy.copy(field) for name, field in built.items()}
