"""The civil side's background jobs (jobs.services.job_start runs them by these paths)."""

import io

from jobs.models import Job
from jobs.progress import Progress
from jobs.services import JobOutcome
from villages.boundary_import import boundaries_import
from villages.services import regions_import

REGIONS_IMPORT = "villages.jobs.regions_import_run"
BOUNDARIES_IMPORT = "villages.jobs.boundaries_import_run"


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


def boundaries_import_run(*, job: Job, data: bytes, progress: Progress) -> JobOutcome:
    """A boundary file the admin previewed and confirmed: all or nothing, as `manage.py import_boundaries`."""
    report = boundaries_import(
        sources=[(job.source_name, io.BytesIO(data))],
        prefix=job.options.get("prefix", ""),
        level=job.options.get("level", "auto"),
        code_property=job.options.get("code_property", "kode"),
        encoding=job.options.get("encoding", "utf-8"),
        user=job.created_by,
        progress=progress,
    )
    return JobOutcome(summary=report.summary())
