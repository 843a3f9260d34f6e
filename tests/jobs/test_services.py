"""Jobs: queued with the caller's transaction, run once, all or nothing, their report kept."""

import io
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from jobs.models import Job
from jobs.progress import CacheProgress, TerminalProgress, cached_progress
from jobs.runner import run_queued, run_queued_in_thread
from jobs.services import job_run, job_start, job_status
from villages.models import Kecamatan

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _start(data: bytes, runner: str = "tests.jobs.runners.write_and_count", user=None) -> Job:
    return job_start(kind=Job.Kind.ROSTER_IMPORT, runner=runner, user=user, data=data, source_name="uji.csv")


def test_a_job_runs_its_runner_and_keeps_the_outcome_but_not_the_file():
    job = _start(b"a\nb\nc")
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert (job.summary, job.result, job.rows_read, job.rows_total) == ("3 baris", {"lines": 3}, 3, 3)
    assert job.started_at <= job.finished_at
    assert bytes(job.input_data) == b""
    assert Kecamatan.objects.filter(code="36.04.99").exists()


def test_a_refused_job_keeps_its_error_report_and_writes_nothing():
    job = _start(b"a\nrusak\nc")
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error_report == ["baris 2: rusak", "baris 9: juga rusak"]
    assert job.error_count == 2
    assert job_status(job)["error_report"] == job.error_report
    # The runner wrote a kecamatan before it refused the file: rolled back with the rest.
    assert not Kecamatan.objects.filter(code="36.04.99").exists()


def test_a_crashing_job_fails_with_a_plain_message_and_writes_nothing(caplog):
    job = _start(b"a", runner="tests.jobs.runners.crash")
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "tidak ada data yang diubah" in job.error_report[0]
    assert "RuntimeError" not in job.error_report[0]
    assert f"job {job.pk}" in caplog.text
    assert not Kecamatan.objects.filter(code="36.04.98").exists()


def test_a_job_runs_once_even_when_its_task_is_run_again():
    job = _start(b"a")
    assert job_run.call(job.pk) == "not queued"


# Transactional, as the worker runs in production: inside a test's transaction the worker's
# close_old_connections() sees autocommit off and closes the connection (PostgreSQL).
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_job_is_queued_only_if_the_transaction_that_asks_for_it_commits():
    with transaction.atomic():
        _start(b"a")
        transaction.set_rollback(True)
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()

    job = _start(b"a\nb")
    assert Job.objects.get().state == Job.State.QUEUED
    assert DBTaskResult.objects.get().args_kwargs == {"args": [job.pk], "kwargs": {}}
    run_queued(worker_id="uji", queue_names=("default",))
    job.refresh_from_db()
    assert (job.state, job.summary) == (Job.State.SUCCEEDED, "2 baris")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_progress_of_a_running_job_comes_from_the_cache():
    job = Job.objects.create(kind=Job.Kind.ROSTER_IMPORT, runner="x", state=Job.State.RUNNING)
    progress = CacheProgress(job.pk, every=0)
    progress(rows_read=40, errors=2, total=100)
    assert cached_progress(job.pk) == {"rows_read": 40, "errors": 2, "total": 100, "stage": "read"}
    status = job_status(job)
    counts = (status["rows_read"], status["rows_total"], status["errors"], status["done"])
    assert counts == (40, 100, 2, False)


def test_terminal_progress_shows_a_bar_with_rate_and_time_left():
    stream = io.StringIO()
    progress = TerminalProgress("Impor personel", stream=stream, after=0, log_every=0)
    line = progress.line(rows_read=250_000, errors=3, total=1_000_000, elapsed=50)
    assert line == (
        "Impor personel · [######------------------]  25% 250.000/1.000.000 baris · 5.000 baris/dtk"
        " · sisa 0:02:30 · lewat 0:00:50 · 3 kesalahan"
    )
    progress(rows_read=10, total=20)
    assert "10/20 baris" in stream.getvalue()


def test_terminal_progress_stays_quiet_for_a_short_import():
    stream = io.StringIO()
    progress = TerminalProgress("Impor personel", stream=stream, after=60)
    progress(rows_read=10, total=20)
    progress.close()
    assert stream.getvalue() == ""


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE, PILKADES_JOBS_RUN="thread")
def test_without_a_worker_a_thread_of_this_process_runs_the_job_once_it_is_committed():
    """The demo (scripts/run.sh): no job worker, yet the upload's job completes."""
    started = []

    def run_and_record():
        started.append(run_queued_in_thread())

    with mock.patch("jobs.runner.run_queued_in_thread", run_and_record):
        job = _start(b"a\nb\nc")
    # Wait on the thread, not by reading jobs_job meanwhile: the test database is SQLite's shared
    # in-memory cache, where a read in this thread makes the job thread's write fail at once
    # ("database table is locked") instead of waiting as a file database does.
    assert [thread.name for thread in started] == ["pilkades-jobs"]
    started[0].join(timeout=30)
    assert not started[0].is_alive(), "the job was never run"
    job.refresh_from_db()
    assert (job.state, job.summary) == (Job.State.SUCCEEDED, "3 baris")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_job_reads_its_file_byte_for_byte():
    from jobs.services import job_input

    data = bytes(range(256)) * 64 + "ñ,é\n".encode()
    job = Job.objects.create(kind=Job.Kind.ROSTER_IMPORT, runner="x", input_data=data)
    assert job_input(job.pk) == data
    with pytest.raises(Job.DoesNotExist):
        job_input(job.pk + 1000)
