"""Jobs in the admin: each staff user sees the jobs he started (superusers all), with a progress
page that polls a small JSON status and so survives a reload."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from jobs.access import jobs_visible
from jobs.models import Job
from jobs.pages import page_status
from jobs.services import job_status


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "state",
        "source_name",
        "rows_read",
        "error_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "state"]
    list_select_related = ["created_by"]
    fields = [
        "kind",
        "state",
        "source_name",
        "rows_read",
        "rows_total",
        "error_count",
        "summary",
        "error_report",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
    ]
    readonly_fields = fields

    # Written by the services only; the one who started a job may read it, nobody edits it.
    def has_view_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return jobs_visible(request.user).select_related("created_by")

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="jobs_job_progress",
            ),
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="jobs_job_status",
            ),
        ]
        return own + super().get_urls()

    def _job(self, request: HttpRequest, object_id: str) -> Job:
        # Someone else's job is "not found", not "forbidden": its number says nothing.
        try:
            return jobs_visible(request.user).get(pk=int(object_id))
        except (ValueError, Job.DoesNotExist) as exc:
            raise Http404 from exc

    def progress_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        job = self._job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(kind)s #%(id)s") % {"kind": job.get_kind_display(), "id": job.pk},
            "job": job,
            "status": page_status(job),
            "status_url": reverse("admin:jobs_job_status", args=[job.pk]),
            "back_url": job.options.get("back_url", ""),
        }
        return TemplateResponse(request, "admin/jobs/job/progress.html", context)

    def status_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        response = JsonResponse(job_status(self._job(request, object_id)))
        response["Cache-Control"] = "no-store"
        return response
