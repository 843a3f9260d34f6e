"""The civil side's background jobs (jobs.services.job_start runs them by these paths)."""

from jobs.models import Job
from jobs.progress import Progress
from jobs.services import JobOutcome
from villages.services import regions_import

REGIONS_IMPORT = "villages.jobs.regions_import_run"


def regions_import_run(*, job: Job, data: bytes, progress: Progress) -> JobOutcome:
    """The Kemendagri code list uploaded in the admin: all rows or none, as `manage.py import_regions`."""
    report = regions_import(
        data=data,
        prefix=job.options.get("prefix", ""),
        encoding=job.options.get("encoding") or "utf-8",
        user=job.created_by,
        source_name=job.source_name,
        progress=progress,
    )
    return JobOutcome(
        summary=report.summary(),
        result={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
