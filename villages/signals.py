"""Signals the civil side sends so the police side can follow without villages importing it."""

from django.dispatch import Signal

# Sent inside the import's transaction with ``kecamatan_ids`` and ``desa_ids`` whose name changed:
# copies of those names elsewhere (the ranking rows) are brought up to date in the same commit.
places_renamed = Signal()
