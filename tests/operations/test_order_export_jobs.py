"""The lampiran Sprin of an operation of more than PILKADES_EXPORT_JOB_THRESHOLD villages is made by a
background job, as the ranking download: the page and the API hand back the job at once, the job's
file is the direct export's file, and only HQ reads it."""

import pytest
from django.test import override_settings
from django.urls import reverse

from jobs.models import Job
from jobs.services import job_run
from tests.operations.test_order_exports import posted  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _direct(client, url, **query):
    with override_settings(PILKADES_EXPORT_JOB_THRESHOLD=1000):
        response = client.get(url, query)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    return response


def _file(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=1, TASKS=DATABASE_QUEUE)
def test_above_the_threshold_the_order_page_queues_a_job_whose_file_is_the_direct_one(client, posted):  # noqa: F811
    world, _people = posted
    client.force_login(world.pimpinan)
    url = reverse("deployment-order", args=[world.operation.pk, "csv"])
    query = {"polsek": world.polsek.pk}
    direct = _direct(client, url, **query)

    offer = client.get(url, query)
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    assert "di latar belakang" in offer.content.decode() and not Job.objects.exists()
    response = client.post(f"{url}?polsek={world.polsek.pk}")
    job = Job.objects.get()
    assert response["Location"] == reverse("job-page", args=[job.pk])
    assert (job.kind, job.state) == (Job.Kind.ORDER_EXPORT, Job.State.QUEUED)

    job_run.call(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error_report
    got = client.get(reverse("job-file", args=[job.pk]))
    assert b"".join(got.streaming_content) == direct.content
    assert got["Content-Disposition"] == direct["Content-Disposition"]  # the Polsek's extract

    client.force_login(world.polsek_user)  # not HQ: the Sprin is not his to download
    assert client.get(reverse("job-file", args=[job.pk])).status_code == 404


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=1, TASKS=DATABASE_QUEUE)
def test_the_order_api_answers_202_with_the_job(client, posted):  # noqa: F811
    world, _people = posted
    client.force_login(world.kabag)
    url = reverse("operation-order", args=[world.operation.pk, "csv"])
    direct = _direct(client, url)
    response = client.get(url)
    job = Job.objects.get()
    assert (response.status_code, response["Location"]) == (202, reverse("job-detail", args=[job.pk]))
    job_run.call(job.pk)
    status = client.get(reverse("job-detail", args=[job.pk])).json()
    assert status["state"] == "succeeded"
    assert _file(client, status["file_url"]) == direct.content


@override_settings(PILKADES_EXPORT_JOB_THRESHOLD=1)
def test_a_wrong_polsek_is_refused_before_any_job(client, posted):  # noqa: F811
    world, _people = posted
    client.force_login(world.kabag)
    response = client.post(f"{reverse('deployment-order', args=[world.operation.pk, 'csv'])}?polsek=x")
    assert response.status_code == 400 and not Job.objects.exists()
