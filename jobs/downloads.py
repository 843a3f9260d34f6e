"""The file an export job made, served through the job's access rule (jobs.access), never by URL
under MEDIA_ROOT: the page and the API answer the same response."""

import io

from django.http import FileResponse, Http404

from jobs.access import jobs_visible
from jobs.models import Job


def job_file(user, job_id: int) -> Job:
    """The finished export ``user`` may read, with its file; Http404 for anything else."""
    try:
        job = jobs_visible(user).defer(None).defer("input_data").get(pk=job_id, state=Job.State.SUCCEEDED)
    except Job.DoesNotExist as exc:
        raise Http404 from exc
    if not job.result.get("file_name"):
        raise Http404
    return job


def job_file_response(job: Job) -> FileResponse:
    # The export's own name and type, as its direct download gives them.
    response = FileResponse(
        io.BytesIO(bytes(job.output_data)),
        as_attachment=True,
        filename=job.result["file_name"],
        content_type=job.result.get("content_type", "application/octet-stream"),
    )
    response["Content-Disposition"] = f'attachment; filename="{job.result["file_name"]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
