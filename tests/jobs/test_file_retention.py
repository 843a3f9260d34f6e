"""An export job's file is kept for PILKADES_JOB_FILE_DAYS days, then dropped from the database."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.services import jobs_drop_old_files
from operations.roles import KABAG_OPS

pytestmark = pytest.mark.django_db


def _export(user, *, days_ago: float) -> Job:
    return Job.objects.create(
        kind=Job.Kind.RANKING_EXPORT,
        runner="operations.jobs.ranking_export",
        created_by=user,
        state=Job.State.SUCCEEDED,
        started_at=timezone.now() - timedelta(days=days_ago, seconds=5),
        finished_at=timezone.now() - timedelta(days=days_ago),
        summary="peringkat.csv: 5 desa",
        result={"file_name": "peringkat.csv", "content_type": "text/csv", "rows": 5, "bytes": 3},
        output_data=b"a;b",
    )


def test_files_older_than_the_setting_are_dropped_and_the_page_says_so(client, make_user, settings):
    settings.PILKADES_JOB_FILE_DAYS = 7
    user = make_user(KABAG_OPS)
    old, recent = _export(user, days_ago=8), _export(user, days_ago=6)
    assert jobs_drop_old_files() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert bytes(old.output_data) == b"" and bytes(recent.output_data) == b"a;b"
    client.force_login(user)
    assert client.get(reverse("job-file", args=[old.pk])).status_code == 404
    assert client.get(reverse("job-file", args=[recent.pk])).status_code == 200
    page = client.get(reverse("job-page", args=[old.pk])).content.decode()
    assert "dihapus setelah 7 hari" in page and reverse("job-file", args=[old.pk]) not in page
    assert client.get(reverse("job-page-status", args=[old.pk])).json()["file_url"] == ""
    assert jobs_drop_old_files() == 0  # nothing left to drop


def test_the_next_job_a_worker_starts_drops_the_old_files(make_user, settings):
    from jobs.services import job_start

    settings.PILKADES_JOB_FILE_DAYS = 7
    old = _export(make_user(KABAG_OPS), days_ago=30)
    job_start(kind=Job.Kind.ROSTER_IMPORT, runner="tests.jobs.runners.write_and_count", user=None, data=b"a")
    old.refresh_from_db()
    assert bytes(old.output_data) == b"" and old.result["removed_file"] == "peringkat.csv"


def test_the_admins_progress_page_of_an_export_offers_its_file(client, make_user):
    """The admin's job list shows exports too: their progress page had no way to fetch the file."""
    user = make_user(KABAG_OPS)
    job = _export(user, days_ago=0)
    client.force_login(user)
    page = client.get(reverse("admin:jobs_job_progress", args=[job.pk])).content.decode()
    link = reverse("job-file", args=[job.pk])
    assert f'href="{link}"' in page and "peringkat.csv" in page
    assert b"".join(client.get(link).streaming_content) == b"a;b"
