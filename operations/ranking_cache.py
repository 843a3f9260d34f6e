"""Ranking pages kept in the cache, rendered, under the operation's ranking version.

Every write to an operation's ranking rows bumps ``Operation.ranking_version`` in the same
transaction (``services.standings.ranking_changed``), so a page cached under an older version is
never read again; the timeout only bounds the memory a page holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import connection
from django.utils import translation
from rest_framework.request import Request

from operations.models import Operation
from pilkades import sqlrows
from pilkades.versioned_cache import versioned_get_or_set

TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class RankingStamp:
    operation_id: int
    name: str
    version: int


def ranking_stamp(operation_id: int) -> RankingStamp | None:
    """The operation's ranking version (None if there is no such operation), read on every request."""
    meta = Operation._meta
    quote = connection.ops.quote_name
    name, version = (quote(meta.get_field(f).column) for f in ("name", "ranking_version"))
    # Plain SQL: this runs on every cached page, where building an ORM query costs more than the rest.
    with sqlrows.cursor() as cursor:
        cursor.execute(
            f"SELECT {name}, {version} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s",
            [operation_id],
        )
        found = cursor.fetchone()
    return None if found is None else RankingStamp(operation_id, found[0], found[1])


def ranking_page_key(
    *, stamp: RankingStamp, request: Request, visible_kecamatan_ids: Collection[int] | None
) -> str:
    # The host and path make the page's next/previous links, the language its level labels; the
    # unique name guards against a deleted operation's id reused by a new one (SQLite reuses ids).
    visible = "all" if visible_kecamatan_ids is None else ",".join(map(str, sorted(visible_kecamatan_ids)))
    language = translation.get_language() or ""
    parts = "|".join([stamp.name, request.get_host(), request.get_full_path(), language, visible])
    digest = hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()
    return f"ranking:{stamp.operation_id}:{stamp.version}:{digest}"


def cached_ranking_page(
    *,
    stamp: RankingStamp,
    request: Request,
    visible_kecamatan_ids: Collection[int] | None,
    render: Callable[[], bytes],
) -> bytes:
    """The rendered page from the cache, or rendered and stored. An error raised by render is not cached."""
    key = ranking_page_key(stamp=stamp, request=request, visible_kecamatan_ids=visible_kecamatan_ids)
    return versioned_get_or_set(key, render, TIMEOUT_SECONDS)
