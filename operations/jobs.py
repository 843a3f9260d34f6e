"""The police side's background jobs (jobs.services.job_start runs them by these paths)."""

from django.conf import settings
from django.utils import translation

from jobs.models import Job
from jobs.progress import Progress
from jobs.services import JobOutcome, job_start
from operations.models import Operation
from operations.ranking_export import ranking_file
from operations.roster import roster_import
from operations.selectors.ranking import ranking_table

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


RANKING_EXPORT = "operations.jobs.ranking_export_run"


def export_as_job(rows: int) -> bool:
    """Whether an export of ``rows`` rows is made by a job rather than in the request."""
    return rows > settings.PILKADES_EXPORT_JOB_THRESHOLD


def ranking_export_start(
    *, operation: Operation, file_format: str, filters: dict, user, back_url: str = ""
) -> Job:
    """The job that makes the ranking file under ``filters`` (``ranking_for_operation``'s
    arguments); the same user's identical export still waiting or running, if there is one (a
    second click, an API client asking again)."""
    visible = filters.get("visible_kecamatan_ids")
    options = {
        "operation_id": operation.pk,
        "file_format": file_format,
        "filters": {
            **{key: value for key, value in filters.items() if key != "visible_kecamatan_ids"},
            "visible_kecamatan_ids": None if visible is None else sorted(visible),
        },
    }
    pending = Job.objects.filter(
        kind=Job.Kind.RANKING_EXPORT,
        created_by=user,
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
        options__operation_id=operation.pk,
    )
    for job in pending.defer("input_data", "output_data"):
        if {key: job.options.get(key) for key in options} == options:
            return job
    return job_start(
        kind=Job.Kind.RANKING_EXPORT,
        runner=RANKING_EXPORT,
        user=user,
        source_name=f"{operation.name} ({file_format.upper()})",
        # The file's headers in the language of the page that asked, as the direct download has them.
        options={**options, "back_url": back_url, "language": translation.get_language()},
    )


def ranking_export_run(*, job: Job, data: bytes, progress: Progress) -> JobOutcome:
    """The ranking file, by the one export function the direct download uses."""
    options = job.options
    operation = Operation.objects.get(pk=options["operation_id"])
    filters = dict(options["filters"])
    if filters["visible_kecamatan_ids"] is not None:
        filters["visible_kecamatan_ids"] = frozenset(filters["visible_kecamatan_ids"])
    rows = ranking_table(operation=operation, **filters)
    total = len(rows)

    def counted():
        for number, row in enumerate(rows, start=1):
            progress(rows_read=number, total=total, stage="write")
            yield row

    with translation.override(options.get("language")):
        body, content_type, file_name = ranking_file(
            operation=operation, rows=counted(), file_format=options["file_format"]
        )
    progress(rows_read=total, total=total, stage="write")
    return JobOutcome(
        summary=f"{file_name}: {total:,} desa".replace(",", "."),
        result={"file_name": file_name, "content_type": content_type, "rows": total, "bytes": len(body)},
        file=body,
    )
