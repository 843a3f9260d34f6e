"""Running queued jobs inside the web process, for the demo (PILKADES_JOBS_RUN=thread).

A production server runs `manage.py db_worker` (deploy/systemd/pilkades-worker.service) instead,
and sets PILKADES_JOBS_RUN=worker. Here a thread takes every queued task, as the worker would
(django-tasks-db's own Worker, which claims each task in an exclusive transaction, so two threads
or a thread and a worker never run one twice), and ends when the queue is empty.
"""

from __future__ import annotations

import threading

from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker


def run_queued(*, worker_id: str, queue_names: tuple[str, ...] = ("*",)) -> None:
    """Run every queued task now, in this thread, and return when the queue is empty: what
    ``manage.py db_worker --batch`` does."""
    Worker(
        queue_names=list(queue_names),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


def _drain() -> None:
    try:
        run_queued(worker_id=f"web-{get_random_string(12)}")
    finally:
        connection.close()


def run_queued_in_thread() -> threading.Thread:
    thread = threading.Thread(target=_drain, name="pilkades-jobs", daemon=True)
    thread.start()
    return thread
