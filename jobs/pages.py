"""The job pages outside the admin: progress, status and the made file of a job the user may read
(an HQ export is started by Pimpinan, who has no admin)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jobs.access import jobs_visible
from jobs.downloads import job_file, job_file_response
from jobs.models import Job
from jobs.services import job_status


def page_status(job: Job) -> dict:
    status = job_status(job)
    status["file_url"] = reverse("job-file", args=[job.pk]) if status["file_name"] else ""
    # What a job made that has a page of its own (a proposal), written by its runner.
    status["result_url"] = job.result.get("url", "") if job.state == Job.State.SUCCEEDED else ""
    return status


@require_GET
@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(jobs_visible(request.user), pk=pk)
    status = page_status(job)
    context = {"job": job, "status": status, "status_url": reverse("job-page-status", args=[job.pk])}
    return render(request, "jobs/job.html", context)


@require_GET
@login_required
def job_page_status(request: HttpRequest, pk: int) -> JsonResponse:
    response = JsonResponse(page_status(get_object_or_404(jobs_visible(request.user), pk=pk)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def job_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    return job_file_response(job_file(request.user, pk))
