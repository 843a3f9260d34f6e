"""The police side's background jobs (jobs.services.job_start runs them by these paths)."""

from jobs.models import Job
from jobs.progress import Progress
from jobs.services import JobOutcome
from operations.roster import roster_import

ROSTER_IMPORT = "operations.jobs.roster_import_run"


def roster_import_run(*, job: Job, data: bytes, progress: Progress) -> JobOutcome:
    """The roster upload of the admin: every row or none, as `manage.py import_roster`."""
    report = roster_import(
        data=data,
        file_format=job.options.get("format", "csv"),
        dry_run=bool(job.options.get("dry_run")),
        user=job.created_by,
        source_name=job.source_name,
        progress=progress,
    )
    return JobOutcome(
        summary=report.summary(),
        result={"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
