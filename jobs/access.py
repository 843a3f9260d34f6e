"""Who reads a job: the user who started it, superusers every job, and for an export anyone who
may make that export himself (its file holds nothing he could not download directly)."""

from functools import cache

from django.db.models import Q, QuerySet
from django.utils.module_loading import import_string

from jobs.models import Job

# Kind -> the permission predicate (dotted path, user -> bool) of the direct download it replaces.
SHARED_WITH = {
    Job.Kind.RANKING_EXPORT: "operations.permissions.is_hq",
    Job.Kind.ORDER_EXPORT: "operations.permissions.is_hq",
}


@cache
def _predicate(path: str):
    return import_string(path)


def jobs_visible(user) -> QuerySet[Job]:
    # Never the uploaded file nor the made one: the progress page polls every second.
    jobs = Job.objects.defer("input_data", "output_data")
    if not user.is_authenticated:
        return jobs.none()
    if user.is_superuser:
        return jobs
    shared = [kind for kind, path in SHARED_WITH.items() if _predicate(path)(user)]
    return jobs.filter(Q(created_by=user) | Q(kind__in=shared))
