"""A ranking export above PILKADES_EXPORT_JOB_THRESHOLD rows is a background job: the request
returns at once with the job, the job's file is the direct export's file, and only the one who asked
or a user holding the same permission (HQ) downloads it."""

import io

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from jobs.models import Job
from jobs.services import job_run
from tests.operations.risk_setup import build_world

pytestmark = pytest.mark.django_db

# The queue as in production: the job waits for the worker (the tests' default runs it inline).
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def world(make_user):
    return build_world(make_user, own_villages=4)  # five villages


def _direct(client, url, **query) -> bytes:
    with override_settings(PILKADES_EXPORT_JOB_THRESHOLD=1000):
        response = client.get(url, query)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    return response


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=2, TASKS=DATABASE_QUEUE)
def test_above_the_threshold_the_page_queues_a_job_whose_file_is_the_direct_export(client, world):
    client.force_login(world.pimpinan)
    url = reverse("ranking-download", args=[world.operation.pk, "csv"])
    direct = _direct(client, url)

    # The ranking page offers the job instead of a link; a GET of the download offers it too.
    page = client.get(reverse("ranking", args=[world.operation.pk])).content.decode()
    assert "di latar belakang" in page and f'action="{url}"' in page
    offer = client.get(url)
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    assert not Job.objects.exists()

    response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-page", args=[job.pk])
    assert (job.kind, job.state, job.created_by) == (
        Job.Kind.RANKING_EXPORT,
        Job.State.QUEUED,
        world.pimpinan,
    )
    assert "Menunggu giliran" in client.get(response["Location"]).content.decode()

    job_run.call(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.state, job.rows_total) == (Job.State.SUCCEEDED, 5)
    page = client.get(reverse("job-page", args=[job.pk])).content.decode()
    file_url = reverse("job-file", args=[job.pk])
    assert f'href="{file_url}"' in page
    status = client.get(reverse("job-page-status", args=[job.pk])).json()
    assert (status["state"], status["file_url"]) == ("succeeded", file_url)

    got = client.get(file_url)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == direct.content
    assert (got["Content-Type"], got["Content-Disposition"]) == (
        direct["Content-Type"],
        direct["Content-Disposition"],
    )
    assert got["Cache-Control"] == "private, no-store"


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=2)
def test_the_job_keeps_the_filters_and_the_format(client, world):
    client.force_login(world.kabag)
    url = reverse("ranking-download", args=[world.operation.pk, "xlsx"])
    kecamatan = {"kecamatan": world.own[0].desa.kecamatan_id}
    direct = openpyxl.load_workbook(io.BytesIO(_direct(client, url, **kecamatan).content))
    response = client.post(f"{url}?kecamatan={kecamatan['kecamatan']}")
    job = Job.objects.get()  # run inline by the tests' queue
    assert response["Location"] == reverse("job-page", args=[job.pk]) and job.state == Job.State.SUCCEEDED
    got = client.get(reverse("job-file", args=[job.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    assert rows == [list(r) for r in direct.active.iter_rows(values_only=True)]
    assert len(rows) == 2 + 4  # the operation's name, the headers, the four villages of that kecamatan


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=2)
def test_the_file_is_for_the_one_who_asked_and_users_with_the_same_permission(client, world, make_user):
    client.force_login(world.pimpinan)
    client.post(reverse("ranking-download", args=[world.operation.pk, "csv"]))
    job = Job.objects.get()
    urls = [
        reverse("job-page", args=[job.pk]),
        reverse("job-page-status", args=[job.pk]),
        reverse("job-file", args=[job.pk]),
        reverse("job-detail", args=[job.pk]),
        reverse("job-api-file", args=[job.pk]),
    ]
    client.force_login(world.kabag)  # HQ too: the same permission as the download
    assert [client.get(url).status_code for url in urls] == [200] * 5
    client.force_login(world.polsek)  # no ranking download for a Polsek: the job is not found
    assert [client.get(url).status_code for url in urls] == [404] * 5
    client.logout()
    assert [client.get(url).status_code for url in urls[:3]] == [302] * 3
    assert [client.get(url).status_code for url in urls[3:]] == [401] * 2


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=2, TASKS=DATABASE_QUEUE)
def test_the_api_answers_202_with_the_job_above_the_threshold(client, world):
    client.force_login(world.pimpinan)
    url = reverse("operation-ranking-file", args=[world.operation.pk, "csv"])
    direct = _direct(client, url)
    response = client.get(url)
    job = Job.objects.get()
    assert response.status_code == 202
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert response.json()["state"] == "queued"
    # Asked again before it ran: the same job, not a second one.
    assert client.get(url).json()["id"] == job.pk and Job.objects.count() == 1

    job_run.call(job.pk)
    status = client.get(reverse("job-detail", args=[job.pk])).json()
    assert (status["state"], status["file_url"]) == ("succeeded", reverse("job-api-file", args=[job.pk]))
    got = client.get(status["file_url"])
    assert b"".join(got.streaming_content) == direct.content


def test_below_the_threshold_the_download_stays_direct(client, world):
    client.force_login(world.pimpinan)
    response = client.get(reverse("ranking-download", args=[world.operation.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    response = client.post(reverse("ranking-download", args=[world.operation.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not Job.objects.exists()
