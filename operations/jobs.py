"""The police side's background jobs (jobs.services.job_start runs them by these paths)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from jobs.models import Job
from jobs.progress import Progress
from jobs.services import JobOutcome, job_start
from operations.exports import order_file
from operations.models import Operation, Unit
from operations.ranking_export import ranking_file
from operations.roster import roster_import
from operations.selectors.ranking import ranking_for_operation, ranking_table

ROSTER_IMPORT = "operations.jobs.roster_import_run"


def _grouped(count: int) -> str:
    """A count with the Indonesian thousands dot (84.000), whatever language the worker runs in."""
    return f"{count:,}".replace(",", ".")


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


def _export_start(
    *, kind: str, runner: str, operation: Operation, file_format: str, options: dict, user, back_url: str
) -> Job:
    """The job that makes an export of ``operation``; the same user's identical export still
    waiting or running, if there is one (a second click, an API client asking again)."""
    options = {"operation_id": operation.pk, "file_format": file_format, **options}
    pending = Job.objects.filter(
        kind=kind,
        created_by=user,
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
        options__operation_id=operation.pk,
    )
    for job in pending.defer("input_data", "output_data"):
        if {key: job.options.get(key) for key in options} == options:
            return job
    return job_start(
        kind=kind,
        runner=runner,
        user=user,
        source_name=f"{operation.name} ({file_format.upper()})",
        # The file's headers in the language of the page that asked, as the direct download has them.
        options={**options, "back_url": back_url, "language": translation.get_language()},
    )


def ranking_export_start(
    *, operation: Operation, file_format: str, filters: dict, user, back_url: str = ""
) -> Job:
    """The ranking file under ``filters`` (``ranking_for_operation``'s arguments), by a job."""
    visible = filters.get("visible_kecamatan_ids")
    filters = {
        **{key: value for key, value in filters.items() if key != "visible_kecamatan_ids"},
        "visible_kecamatan_ids": None if visible is None else sorted(visible),
    }
    return _export_start(
        kind=Job.Kind.RANKING_EXPORT,
        runner=RANKING_EXPORT,
        operation=operation,
        file_format=file_format,
        options={"filters": filters},
        user=user,
        back_url=back_url,
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
        summary=f"{file_name}: {_grouped(total)} desa",
        result={"file_name": file_name, "content_type": content_type, "rows": total, "bytes": len(body)},
        file=body,
    )


ORDER_EXPORT = "operations.jobs.order_export_run"


def order_export_rows(*, operation: Operation, polsek: Unit | None) -> int:
    """The villages an order (or one Polsek's extract) lists: what makes it long."""
    return ranking_for_operation(operation=operation, polsek_id=polsek.pk if polsek else None).count()


def order_export_start(
    *, operation: Operation, file_format: str, polsek: Unit | None, user, back_url: str = ""
) -> Job:
    """The lampiran Sprin (or one Polsek's extract) by a job."""
    return _export_start(
        kind=Job.Kind.ORDER_EXPORT,
        runner=ORDER_EXPORT,
        operation=operation,
        file_format=file_format,
        options={"polsek_id": polsek.pk if polsek else None},
        user=user,
        back_url=back_url,
    )


def order_export_run(*, job: Job, data: bytes, progress: Progress) -> JobOutcome:
    """The order file, by the one export function the direct download uses."""
    options = job.options
    operation = Operation.objects.select_related("election", "pattern_set").get(pk=options["operation_id"])
    polsek = Unit.objects.get(pk=options["polsek_id"]) if options["polsek_id"] else None
    total = order_export_rows(operation=operation, polsek=polsek)
    progress(rows_read=0, total=total, stage="write")
    with translation.override(options.get("language")):
        body, content_type, file_name = order_file(
            operation=operation, file_format=options["file_format"], polsek=polsek
        )
    progress(rows_read=total, total=total, stage="write")
    # A CSV comes as text; the direct download sends it as UTF-8, so the stored file is the same.
    body = body.encode("utf-8") if isinstance(body, str) else body
    return JobOutcome(
        summary=f"{file_name}: {_grouped(total)} desa",
        result={"file_name": file_name, "content_type": content_type, "rows": total, "bytes": len(body)},
        file=body,
    )


PROPOSAL_CREATE = "operations.jobs.proposal_create_run"


def proposal_as_job(*, operation: Operation) -> bool:
    """Whether a proposal for ``operation`` is computed by a job rather than in the request."""
    villages = ranking_for_operation(operation=operation).count()
    return villages > settings.PILKADES_PROPOSAL_JOB_THRESHOLD


def proposal_job_start(*, operation: Operation, exclude_bko: bool, user, back_url: str = "") -> Job:
    return job_start(
        kind=Job.Kind.PROPOSAL_CREATE,
        runner=PROPOSAL_CREATE,
        user=user,
        source_name=operation.name,
        options={"operation_id": operation.pk, "exclude_bko": exclude_bko, "back_url": back_url},
    )


def proposal_create_run(*, job: Job, data: bytes, progress: Progress) -> JobOutcome:
    """The proposal the page would have made in the request, by the same service."""
    from operations.services.proposals import proposal_create

    operation = Operation.objects.get(pk=job.options["operation_id"])
    progress(rows_read=0, stage="plan")
    proposal = proposal_create(operation=operation, by=job.created_by, exclude_bko=job.options["exclude_bko"])
    proposed = proposal.summary.get("proposed_officers", 0)
    return JobOutcome(
        summary=f"Usulan #{proposal.pk}: {proposed:,} personel diusulkan".replace(",", "."),
        result={"proposal_id": proposal.pk, "url": reverse("deployment-proposal", args=[proposal.pk])},
    )
