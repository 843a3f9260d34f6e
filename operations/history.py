"""The ``history`` manager of django-simple-history, its class built once per model.

simple-history's descriptor builds a new manager class (``HistoryManager.from_queryset(...)``,
which walks the queryset class with ``inspect``) on every access to ``Model.history``, and every
save or bulk write of a tracked model reads it: three times per report submission, about a
twentieth of its CPU. The class depends only on the model, so it is built once and reused; each
access still gets a fresh manager for its instance, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from simple_history.manager import HistoryDescriptor


class HistoryDescriptorBuiltOnce(HistoryDescriptor):
    def __init__(self, original: HistoryDescriptor):
        super().__init__(original.model, manager=original.manager_class, queryset=original.queryset_class)
        self.built = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.built(self.model, instance)


def build_history_managers_once(tracked: Iterable[type[models.Model]]) -> None:
    """Swap the descriptor of each model tracked by simple-history (others are left alone)."""
    for model in tracked:
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            setattr(model, name, HistoryDescriptorBuiltOnce(descriptor))
