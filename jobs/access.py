"""Who reads a job: the user who started it (superusers every job)."""

from django.db.models import QuerySet

from jobs.models import Job


def jobs_visible(user) -> QuerySet[Job]:
    # Never the uploaded file: the progress page polls every second.
    jobs = Job.objects.defer("input_data")
    if not user.is_authenticated:
        return jobs.none()
    return jobs if user.is_superuser else jobs.filter(created_by=user)
