"""Health for load balancers: /healthz (the process answers) and /readyz (it can serve).

Both are answered by ``HealthMiddleware``, first in the chain: a load balancer probes by address
and over plain HTTP, which the host check and the HTTPS redirect would refuse. Neither needs a
login, and neither says why it is not ready (that goes to the log): the probe is public.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

from pilkades.env import REDIS_CACHE

logger = logging.getLogger("pilkades.health")
PROBE_KEY = "health:probe"

# Once a process has seen every migration applied it stays so (a deploy with new migrations starts
# new processes), so the migration graph is loaded once rather than on every probe.
_migrations_applied = False


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _cache_answers() -> None:
    if settings.CACHES["default"]["BACKEND"] == REDIS_CACHE:
        cache.get(PROBE_KEY)  # raises when Redis does not answer


def readyz(request: HttpRequest) -> HttpResponse:
    global _migrations_applied
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            pending = _unapplied_migrations()
            if pending:
                logger.warning("not ready: %d migrations not applied (%s)", len(pending), ", ".join(pending))
                return _not_ready()
            _migrations_applied = True
        _cache_answers()
    except Exception:
        logger.warning("not ready: the database or the cache does not answer", exc_info=True)
        return _not_ready()
    return HttpResponse("ok", content_type="text/plain")


def _not_ready() -> HttpResponse:
    return HttpResponse("not ready", status=503, content_type="text/plain")


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
