"""The audit history of the resources the changes feed lists (operations.selectors.changes), indexed
in the feed's order.

The feed reads each history table by (history_date, history_id), from a cursor on: simple_history's
own index on history_date alone leaves PostgreSQL to fetch and sort every row after the cursor (a
first page of 20,000 officer rows: a sequential scan and a sort of all of them), and a batch written
in one instant (pilkades.bulk_history) shares one history_date. One index on both columns serves the
feed and everything the index on history_date served (simple_history's ordering is the same pair,
descending), so it replaces that index rather than sitting beside it.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class FeedHistoricalRecords(HistoricalRecords):
    @property
    def _date_indexing(self) -> bool:
        return False  # history_date's own index: replaced by the one below

    def get_meta_options(self, model: type[models.Model]) -> dict:
        options = super().get_meta_options(model)
        options["indexes"] = (models.Index(fields=("history_date", "history_id")),)
        return options
