"""Ranking pages kept in the cache under the operation's ranking version.

Every write to an operation's ranking rows bumps ``Operation.ranking_version`` in the same
transaction (``services.standings.ranking_changed``), so a page cached under an older version is
never read again; the timeout only bounds the memory a page holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection

from django.core.cache import cache
from django.utils import translation
from rest_framework.request import Request

from operations.models import Operation

TIMEOUT_SECONDS = 300


def ranking_page_key(
    *, operation: Operation, request: Request, visible_kecamatan_ids: Collection[int] | None
) -> str:
    # The host and path make the page's next/previous links; the language its level labels.
    visible = "all" if visible_kecamatan_ids is None else ",".join(map(str, sorted(visible_kecamatan_ids)))
    # The unique name guards against a deleted operation's id reused by a new one (SQLite reuses ids).
    language = translation.get_language() or ""
    parts = "|".join([operation.name, request.get_host(), request.get_full_path(), language, visible])
    digest = hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()
    return f"ranking:{operation.pk}:{operation.ranking_version}:{digest}"


def cached_ranking_page(
    *,
    operation: Operation,
    request: Request,
    visible_kecamatan_ids: Collection[int] | None,
    compute: Callable[[], dict],
) -> dict:
    """The page's data from the cache, or computed and stored. An error raised by compute is not cached."""
    key = ranking_page_key(operation=operation, request=request, visible_kecamatan_ids=visible_kecamatan_ids)
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, TIMEOUT_SECONDS)
    return data
