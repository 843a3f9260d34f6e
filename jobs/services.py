"""Queueing work and running a watched job (see the package docstring for which to use)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResult, task
from django_tasks.base import Task
from django_tasks.base import TaskResultStatus as ResultStatus

from jobs.models import Job
from jobs.progress import CacheProgress

logger = logging.getLogger("pilkades.jobs")

# A rejected file can name every one of a million lines; the page and the row keep the first ones.
ERROR_REPORT_LIMIT = 1000

STALE_MESSAGE = (
    "Terhenti: pekerja berhenti saat menjalankan tugas ini; tidak ada yang tersimpan — "
    "unggah ulang / jalankan lagi."
)


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
    # An export's file; name it in ``result`` as file_name and content_type (jobs.downloads).
    file: bytes = b""


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
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=now, heartbeat_at=now
        )
    )


def _finish(job: Job, progress: CacheProgress, *, state: str, **fields: Any) -> int:
    """End a running job; 0 when it had already ended (marked stale by a reader meanwhile)."""
    counts = progress.last
    if state == Job.State.SUCCEEDED and counts["total"] is not None:
        counts = {**counts, "rows_read": counts["total"]}
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
        state=state,
        finished_at=timezone.now(),
        input_data=b"",
        rows_read=counts["rows_read"],
        rows_total=counts["total"],
        error_count=max(counts["errors"], len(fields.get("error_report", []))),
        **fields,
    )


def _stale_cutoff():
    return timezone.now() - timedelta(seconds=settings.PILKADES_JOB_STALE_SECONDS)


def _looks_stale(job: Job) -> bool:
    beat = job.heartbeat_at or job.started_at
    return job.state == Job.State.RUNNING and beat is not None and beat < _stale_cutoff()


def jobs_mark_stale(job_id: int | None = None, *, reached: dict | None = None) -> int:
    """Fail the running jobs (or the one job) whose worker stopped beating; how many were failed.

    One conditional UPDATE: the database, not a copy read earlier, decides that the beat is old,
    and of two readers at once only one changes the row (the other's WHERE no longer matches). The
    job's own work was one transaction that died with its worker: nothing of it was saved.
    ``reached``: the one job's last progress (the cache's), kept to show where it stopped.
    """
    cutoff = _stale_cutoff()
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    jobs = Job.objects.filter(silent, state=Job.State.RUNNING)
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    counts = {}
    if job_id is not None and reached:
        counts = {"rows_read": reached.get("rows_read", 0), "rows_total": reached.get("total")}
    marked_at = timezone.now()
    count = jobs.update(
        state=Job.State.FAILED,
        finished_at=marked_at,
        input_data=b"",
        summary=STALE_MESSAGE,
        error_report=[STALE_MESSAGE],
        error_count=1,
        **counts,
    )
    if count:
        logger.warning("marked %s job(s) failed: no heartbeat since %s", count, cutoff.isoformat())
        _fail_queue_rows(Job.objects.filter(finished_at=marked_at, summary=STALE_MESSAGE))
    return count


class StaleJob(Exception):
    """What a dead worker's queue row is failed with (its class path is shown in the task admin)."""


def _fail_queue_rows(jobs) -> None:
    """The queue's rows of these jobs (django-tasks-db's, shown in its admin) end FAILED as well:
    the dead worker never finished them, so they said RUNNING for ever."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        status=ResultStatus.RUNNING,
        task_path=job_run.module_path,
        args_kwargs__args__0__in=list(jobs.values_list("pk", flat=True)),
    ).update(
        status=ResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{StaleJob.__module__}.{StaleJob.__qualname__}",
        traceback=STALE_MESSAGE,
    )


def jobs_drop_old_files() -> int:
    """Drop the files of exports finished more than PILKADES_JOB_FILE_DAYS days ago; how many.

    The file sits in the job's row (any server serves it) and holds names and phone numbers of a
    whole operation: kept for the days a user needs to fetch it, not for ever. The job's page then
    says the file was removed and a new download makes a fresh one.
    """
    days = settings.PILKADES_JOB_FILE_DAYS
    old = (
        Job.objects.filter(finished_at__lt=timezone.now() - timedelta(days=days))
        .exclude(output_data=b"")
        .only("pk", "result", "summary")
    )
    dropped = 0
    for job in old:
        name = job.result.get("file_name", "")
        # Stored in Indonesian, as the stale message is: the row's text, not a page's.
        note = f"berkas {name} dihapus setelah {days} hari; buat unduhan baru."
        dropped += (
            Job.objects.filter(pk=job.pk)
            .exclude(output_data=b"")
            .update(
                output_data=b"",
                result={**job.result, "file_name": "", "removed_file": name},
                summary=f"{job.summary} — {note}"[:500],
            )
        )
    return dropped


class Heartbeat:
    """Beats ``heartbeat_at`` of a running job from a thread, on that thread's own connection.

    The runner's work is one transaction on the worker's connection: a beat written there would be
    invisible until the end, and so would the progress reporter's (which, besides, is silent while
    one long statement saves every row). A thread beats whatever the runner does, and dies with
    its process, which is what the beat is to tell. On SQLite the job's transaction holds the
    one write lock, so the beat (and a reader's stale mark) waits until it ends: no live job is
    failed there either.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.every = max(settings.PILKADES_JOB_STALE_SECONDS / 4, 0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"pilkades-job-{job_id}-beat", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, state=Job.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connection.close()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


class _EndedMeanwhile(Exception):
    """The job was marked stale while its runner still worked: roll its work back."""


def _report(messages: list[str]) -> list[str]:
    if len(messages) <= ERROR_REPORT_LIMIT:
        return messages
    return [*messages[:ERROR_REPORT_LIMIT], f"… dan {len(messages) - ERROR_REPORT_LIMIT} kesalahan lain"]


def job_input(job_id: int) -> bytes:
    """The uploaded file of a job. On PostgreSQL read in binary: a bytea in the default text format
    arrives as hex, and a 69 MB roster held as result, hex and bytes at once took 400 MB."""
    if connection.vendor != "postgresql":
        return bytes(Job.objects.values_list("input_data", flat=True).get(pk=job_id))
    connection.ensure_connection()
    table, column = Job._meta.db_table, Job._meta.get_field("input_data").column
    import psycopg

    # Django's cursors bind on the client, which cannot ask for binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [job_id], binary=True)
        row = cursor.fetchone()
    if row is None:
        raise Job.DoesNotExist(job_id)
    return bytes(row[0])


@task()
def job_run(job_id: int) -> str:
    """Run a queued Job through its runner. The runner's own transaction keeps the work all or
    nothing; a failure is written outside it, so it keeps its error report, and success inside it,
    so the work is saved only if the job is still running (not failed meanwhile as stale)."""
    try:
        jobs_mark_stale()  # a worker starting work is a good moment to clear up after a dead one
        jobs_drop_old_files()
    except DatabaseError:
        logger.warning("stale jobs not checked", exc_info=True)
    if not _claim(job_id):
        return "not queued"
    job = Job.objects.defer("input_data").get(pk=job_id)
    progress = CacheProgress(job.pk)
    try:
        runner: Runner = import_string(job.runner)
        data = job_input(job.pk)
        with Heartbeat(job.pk), transaction.atomic():
            outcome = runner(job=job, data=data, progress=progress)
            fields = {"summary": outcome.summary[:500], "result": outcome.result, "output_data": outcome.file}
            if not _finish(job, progress, state=Job.State.SUCCEEDED, **fields):
                raise _EndedMeanwhile
    except _EndedMeanwhile:
        logger.warning("job %s (%s) was marked stale while it ran; its work is rolled back", job.pk, job.kind)
    except ValidationError as exc:
        messages = _report(exc.messages)
        _finish(job, progress, state=Job.State.FAILED, error_report=messages, summary=messages[0][:500])
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        message = f"Kesalahan di server (pekerjaan #{job.pk}); tidak ada data yang diubah. Lihat log server."
        _finish(job, progress, state=Job.State.FAILED, error_report=[message], summary=message)
    return Job.objects.values_list("state", flat=True).get(pk=job_id)


_STATUS_FIELDS = [
    "state",
    "rows_read",
    "rows_total",
    "error_count",
    "error_report",
    "summary",
    "finished_at",
    "heartbeat_at",
    "result",
]


def job_status(job: Job) -> dict:
    """What the progress page shows, from the row, with the running counts from the cache."""
    from jobs.progress import STAGES, cached_progress

    if _looks_stale(job):
        # Only then a write (SQLite would take its write lock for a no-op UPDATE at every poll).
        try:
            jobs_mark_stale(job.pk, reached=cached_progress(job.pk))
        except DatabaseError:  # SQLite: the job's transaction holds the lock, so it is alive
            logger.info("job %s: stale check deferred", job.pk, exc_info=True)
        else:
            job.refresh_from_db(fields=_STATUS_FIELDS)
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
        # An export's file, once made; the page and the API each add the URL they serve it at.
        "file_name": job.result.get("file_name", "") if job.state == Job.State.SUCCEEDED else "",
    }
