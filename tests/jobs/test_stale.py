"""A job whose worker died (kill -9, out of memory, a reboot) ends as failed, not "Berjalan" forever.

The running job beats a heartbeat into its row from a thread of its own, on its own connection
(outside the job's transaction); a job whose heartbeat is older than PILKADES_JOB_STALE_SECONDS
is marked failed by one conditional UPDATE, by whoever notices first: a reader of its status, or
a worker about to run a job.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.progress import CacheProgress
from jobs.runner import run_queued
from jobs.services import STALE_MESSAGE, job_start, job_status, jobs_mark_stale
from operations.roles import KABAG_OPS
from villages.models import Kecamatan

pytestmark = pytest.mark.django_db


def _running(*, beat_seconds_ago: float, user=None) -> Job:
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    return Job.objects.create(
        kind=Job.Kind.ROSTER_IMPORT,
        runner="operations.jobs.roster_import_run",
        state=Job.State.RUNNING,
        started_at=beat - timedelta(seconds=5),
        heartbeat_at=beat,
        source_name="personel.csv",
        input_data=b"nrp,nama\n",
        created_by=user,
    )


@override_settings(PILKADES_JOB_STALE_SECONDS=120)
def test_a_running_job_whose_heartbeat_stopped_is_reported_failed_on_its_page_and_the_api(client, make_user):
    kabag = make_user(KABAG_OPS)
    job = _running(beat_seconds_ago=121, user=kabag)
    CacheProgress(job.pk, every=0)(rows_read=400, total=1000)  # where the dead worker got to
    client.force_login(kabag)

    page = client.get(reverse("admin:jobs_job_progress", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Terhenti: pekerja berhenti saat menjalankan tugas ini" in text
    assert "Berjalan" not in text

    status = client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()
    api = client.get(reverse("job-detail", args=[job.pk])).json()
    for answer in (status, api):
        assert (answer["state"], answer["done"], answer["state_label"]) == ("failed", True, "Gagal")
        assert answer["summary"] == STALE_MESSAGE
        assert answer["error_report"] == [STALE_MESSAGE]
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.finished_at is not None
    assert (job.rows_read, job.rows_total) == (400, 1000)  # shown as "400 dari 1.000 baris"
    assert bytes(job.input_data) == b""  # the roster's phone numbers go, as with any ended job


@override_settings(PILKADES_JOB_STALE_SECONDS=120)
def test_a_running_job_with_a_fresh_heartbeat_is_still_running(client, make_user):
    kabag = make_user(KABAG_OPS)
    job = _running(beat_seconds_ago=60, user=kabag)
    client.force_login(kabag)
    assert client.get(reverse("job-detail", args=[job.pk])).json()["state"] == "running"
    assert "Berjalan" in client.get(reverse("admin:jobs_job_progress", args=[job.pk])).content.decode()
    assert jobs_mark_stale() == 0
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING


@override_settings(PILKADES_JOB_STALE_SECONDS=120)
def test_the_transition_is_one_conditional_update_that_the_database_decides():
    job = _running(beat_seconds_ago=500)
    seen_stale = Job.objects.get(pk=job.pk)
    # Meanwhile the worker beats again: the stale copy read above must not fail a live job.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        status = job_status(seen_stale)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("UPDATE")
    assert "heartbeat_at" in writes[0] and "running" in writes[0]
    assert status["state"] == "running"
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING

    # Two readers of a stale job: the first marks it, the second changes nothing.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=500))
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)
    assert job_status(first)["state"] == "failed"
    finished_at = Job.objects.get(pk=job.pk).finished_at
    assert job_status(second)["state"] == "failed"
    assert Job.objects.get(pk=job.pk).finished_at == finished_at


@override_settings(PILKADES_JOB_STALE_SECONDS=120)
def test_a_worker_marks_the_stale_jobs_before_it_runs_one():
    dead = _running(beat_seconds_ago=300)
    never_beat = _running(beat_seconds_ago=0)
    Job.objects.filter(pk=never_beat.pk).update(
        heartbeat_at=None, started_at=timezone.now() - timedelta(seconds=300)
    )
    job_start(kind=Job.Kind.ROSTER_IMPORT, runner="tests.jobs.runners.write_and_count", user=None, data=b"a")
    states = dict(Job.objects.filter(pk__in=[dead.pk, never_beat.pk]).values_list("pk", "summary"))
    assert states == {dead.pk: STALE_MESSAGE, never_beat.pk: STALE_MESSAGE}


# SQLite has one writer: the job's transaction (BEGIN IMMEDIATE) holds the lock, so another
# connection can neither beat nor mark the job until it ends (see jobs.services.Heartbeat).
two_writers = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite: one write transaction at a time"
)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _run_in_worker(runner: str) -> Job:
    """Queued and committed, then run by the worker as in production (the test runner's own
    ImmediateBackend would run it inside job_start's transaction, unseen by other connections)."""
    with override_settings(TASKS=DATABASE_QUEUE):
        job = job_start(kind=Job.Kind.ROSTER_IMPORT, runner=runner, user=None, data=b"")
        run_queued(worker_id="uji", queue_names=("default",))
    job.refresh_from_db()
    return job


@two_writers
@pytest.mark.django_db(transaction=True)
@override_settings(PILKADES_JOB_STALE_SECONDS=0.4)
def test_the_heartbeat_is_written_outside_the_jobs_transaction():
    """The runner waits, inside its open transaction, until another connection sees a new beat."""
    job = _run_in_worker("tests.jobs.runners.wait_for_heartbeat")
    assert (job.state, job.summary) == (Job.State.SUCCEEDED, "detak terlihat")


@two_writers
@pytest.mark.django_db(transaction=True)
def test_a_job_marked_stale_while_it_still_ran_saves_nothing():
    """A worker that was only slow (not dead) finds its job failed by a reader: its work is rolled
    back, so "tidak ada yang tersimpan" stays true."""
    job = _run_in_worker("tests.jobs.runners.marked_stale_meanwhile")
    assert (job.state, job.summary) == (Job.State.FAILED, STALE_MESSAGE)
    assert not Kecamatan.objects.filter(code="36.04.97").exists()


def _queue_row(job: Job, status: str = "RUNNING"):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [job.pk], "kwargs": {}},
        task_path="jobs.services.job_run",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        started_at=job.started_at,
        worker_ids=["dead-worker"],
        exception_class_path="",
        traceback="",
    )


@override_settings(PILKADES_JOB_STALE_SECONDS=120)
def test_a_stale_jobs_queue_row_ends_failed_too_and_a_live_ones_stays_running():
    """The queue's own row (django-tasks-db, seen in the admin's task list) said RUNNING for ever
    after its worker was killed, while the job beside it said Terhenti."""
    dead, alive = _running(beat_seconds_ago=300), _running(beat_seconds_ago=10)
    dead_row, alive_row = _queue_row(dead), _queue_row(alive)
    assert jobs_mark_stale() == 1
    dead_row.refresh_from_db()
    alive_row.refresh_from_db()
    assert (dead_row.status, alive_row.status) == ("FAILED", "RUNNING")
    assert dead_row.finished_at is not None and alive_row.finished_at is None
    assert dead_row.exception_class_path == "jobs.services.StaleJob"
    assert STALE_MESSAGE in dead_row.traceback
