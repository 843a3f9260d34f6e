"""Queueing work and running a watched job (see the package docstring for which to use)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResult, task
from django_tasks.base import Task

from jobs.models import Job
from jobs.progress import CacheProgress

logger = logging.getLogger("pilkades.jobs")

# A rejected file can name every one of a million lines; the page and the row keep the first ones.
ERROR_REPORT_LIMIT = 1000


def enqueue(task_function: Task, *args: Any, **kwargs: Any) -> TaskResult:
    """Queue ``task_function`` (decorated with ``django_tasks.task``) with JSON arguments.

    With the DatabaseBackend the queue row is written on the caller's connection: inside a
    ``transaction.atomic`` block it is queued if and only if that block commits (an outbox needs
    no more). The job worker (``manage.py db_worker``) runs it; with PILKADES_JOBS_RUN=thread (the
    demo, no worker) a thread of this process runs it once the transaction has committed.
    """
    result = task_function.enqueue(*args, **kwargs)
    if settings.PILKADES_JOBS_RUN == "thread":
        from jobs.runner import run_queued_in_thread

        transaction.on_commit(run_queued_in_thread)
    return result


@dataclass(frozen=True)
class JobOutcome:
    """What a runner hands back: one line for people, counts for programs."""

    summary: str
    result: dict = field(default_factory=dict)


Runner = Callable[..., JobOutcome]


def job_start(
    *,
    kind: str,
    runner: str,
    user: AbstractBaseUser | None,
    data: bytes = b"",
    source_name: str = "",
    options: dict | None = None,
) -> Job:
    """A queued Job for ``runner`` (the dotted path of ``f(*, job, data, progress) -> JobOutcome``
    that raises ValidationError for a rejected input). Returns at once; the worker runs it."""
    import_string(runner)  # a typo fails here, in the request, not later in the worker
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            runner=runner,
            created_by=user if user is not None and user.is_authenticated else None,
            input_data=data,
            source_name=source_name[:255],
            options=options or {},
        )
        enqueue(job_run, job.pk)
    return job


def _claim(job_id: int) -> bool:
    # Only one run per job, whichever worker gets it first (a retried task finds it taken).
    return bool(
        Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=timezone.now()
        )
    )


def _finish(job: Job, progress: CacheProgress, *, state: str, **fields: Any) -> None:
    counts = progress.last
    if state == Job.State.SUCCEEDED and counts["total"] is not None:
        counts = {**counts, "rows_read": counts["total"]}
    Job.objects.filter(pk=job.pk).update(
        state=state,
        finished_at=timezone.now(),
        input_data=b"",
        rows_read=counts["rows_read"],
        rows_total=counts["total"],
        error_count=max(counts["errors"], len(fields.get("error_report", []))),
        **fields,
    )


def _report(messages: list[str]) -> list[str]:
    if len(messages) <= ERROR_REPORT_LIMIT:
        return messages
    return [*messages[:ERROR_REPORT_LIMIT], f"… dan {len(messages) - ERROR_REPORT_LIMIT} kesalahan lain"]


@task()
def job_run(job_id: int) -> str:
    """Run a queued Job through its runner. The runner's own transaction keeps the work all or
    nothing; the job row is written outside it, so a failure keeps its error report."""
    if not _claim(job_id):
        return "not queued"
    job = Job.objects.get(pk=job_id)
    progress = CacheProgress(job.pk)
    try:
        runner: Runner = import_string(job.runner)
        # All or nothing, whatever the runner does; the job row is written outside.
        with transaction.atomic():
            outcome = runner(job=job, data=bytes(job.input_data), progress=progress)
    except ValidationError as exc:
        messages = _report(exc.messages)
        _finish(job, progress, state=Job.State.FAILED, error_report=messages, summary=messages[0][:500])
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        message = f"Kesalahan di server (pekerjaan #{job.pk}); tidak ada data yang diubah. Lihat log server."
        _finish(job, progress, state=Job.State.FAILED, error_report=[message], summary=message)
    else:
        summary = outcome.summary[:500]
        _finish(job, progress, state=Job.State.SUCCEEDED, summary=summary, result=outcome.result)
    return Job.objects.values_list("state", flat=True).get(pk=job_id)


def job_status(job: Job) -> dict:
    """What the progress page shows, from the row, with the running counts from the cache."""
    from jobs.progress import STAGES, cached_progress

    counts = {"rows_read": job.rows_read, "errors": job.error_count, "total": job.rows_total, "stage": ""}
    if job.state == Job.State.RUNNING:
        counts.update(cached_progress(job.pk) or {})
    state_label = str(job.get_state_display())
    if job.state == Job.State.RUNNING and counts["stage"] in STAGES:
        state_label = f"{state_label}: {STAGES[counts['stage']]}"
    now = timezone.now()
    started, finished = job.started_at, job.finished_at
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": str(job.get_kind_display()),
        "state": job.state,
        "state_label": state_label,
        "done": job.is_done,
        "source_name": job.source_name,
        "rows_read": counts["rows_read"],
        "rows_total": counts["total"],
        "errors": counts["errors"],
        "seconds": round(((finished or now) - started).total_seconds(), 1) if started else None,
        "summary": job.summary,
        "error_report": job.error_report if job.state == Job.State.FAILED else [],
    }
