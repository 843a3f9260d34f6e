"""A proposal for an operation of more than PILKADES_PROPOSAL_JOB_THRESHOLD villages (a national one
takes seconds) is computed by a background job: the page returns at once with the job, whose page
leads to the proposal."""

import pytest
from django.test import override_settings
from django.urls import reverse

from jobs.models import Job
from jobs.services import job_run
from operations.models import AllocationProposal
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    officers(world.polres, 4)
    return world


@override_settings(PILKADES_PROPOSAL_JOB_THRESHOLD=1, TASKS=DATABASE_QUEUE)
def test_above_the_threshold_the_proposal_is_a_job_that_leads_to_it(client, world):
    client.force_login(world.kabag)
    response = client.post(reverse("deployment-propose", args=[world.operation.pk]), {"exclude_bko": "on"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job-page", args=[job.pk])
    assert (job.kind, job.state) == (Job.Kind.PROPOSAL_CREATE, Job.State.QUEUED)
    assert not AllocationProposal.objects.exists()

    job_run.call(job.pk)
    proposal = AllocationProposal.objects.get()
    assert (proposal.created_by, proposal.operation) == (world.kabag, world.operation)
    assert proposal.summary["exclude_bko"] is True
    page = client.get(reverse("job-page", args=[job.pk])).content.decode()
    assert f'href="{reverse("deployment-proposal", args=[proposal.pk])}"' in page
    status = client.get(reverse("job-page-status", args=[job.pk])).json()
    assert status["result_url"] == reverse("deployment-proposal", args=[proposal.pk])


def test_below_the_threshold_the_proposal_is_made_in_the_request(client, world):
    client.force_login(world.kabag)
    response = client.post(reverse("deployment-propose", args=[world.operation.pk]))
    proposal = AllocationProposal.objects.get()
    assert response["Location"] == reverse("deployment-proposal", args=[proposal.pk])
    assert not Job.objects.exists()
