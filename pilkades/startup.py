"""What the app says about itself when a server process starts (gunicorn, runserver)."""

import logging

from django.conf import settings

from pilkades.env import LOCAL_MEMORY_CACHE

logger = logging.getLogger("pilkades.startup")


def announce() -> None:
    if settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY_CACHE:
        logger.warning(
            "REDIS_URL is not set: the cache and the API throttle counts live in local memory, for "
            "one process only. Fine for the demo or a single process; with several workers or "
            "servers set REDIS_URL, or each one counts and caches on its own."
        )
    elif settings.PILKADES_JOBS_RUN == "thread":
        # Redis says "several processes or servers": jobs in web threads die with their worker.
        logger.warning(
            "PILKADES_JOBS_RUN=thread: background jobs run in threads of the web processes, and a "
            "restart or a recycled worker cuts them short. In production run the job worker "
            "(deploy/systemd/pilkades-worker.service) and set PILKADES_JOBS_RUN=worker."
        )
