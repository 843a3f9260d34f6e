"""What the region and roster imports share when they read a file and record what they wrote."""

from __future__ import annotations

# django-simple-history's change reason is a CharField(max_length=100).
_CHANGE_REASON_LENGTH = 100


def import_change_reason(label: str, source_name: str | None) -> str:
    """'<label>: <file name>' for the history rows an import writes, cut to fit the column."""
    reason = f"{label}: {source_name}" if source_name else label
    return reason if len(reason) <= _CHANGE_REASON_LENGTH else reason[: _CHANGE_REASON_LENGTH - 1] + "…"
