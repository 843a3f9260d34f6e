"""The API's view of a job: the status its progress page polls, for a program that started one."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.access import jobs_visible
from jobs.downloads import job_file, job_file_response
from jobs.models import Job
from jobs.services import job_status
from operations.api.evidence import AnyAccept

JOB_STATUS = inline_serializer(
    "JobStatus",
    {
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "kind_label": serializers.CharField(),
        "state": serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"]),
        "state_label": serializers.CharField(),
        "done": serializers.BooleanField(),
        "source_name": serializers.CharField(),
        "rows_read": serializers.IntegerField(),
        "rows_total": serializers.IntegerField(allow_null=True),
        "errors": serializers.IntegerField(),
        "seconds": serializers.FloatField(allow_null=True),
        "summary": serializers.CharField(),
        "error_report": serializers.ListField(child=serializers.CharField()),
        "file_name": serializers.CharField(),
        "file_url": serializers.CharField(),
    },
)


def api_status(job: Job) -> dict:
    status = job_status(job)
    status["file_url"] = reverse("job-api-file", args=[job.pk]) if status["file_name"] else ""
    return status


class JobDetailView(APIView):
    @extend_schema(
        summary="Status pekerjaan latar belakang (yang dimulai pemanggil)",
        description=(
            "Gagal dengan ringkasan 'Terhenti: …' bila pekerja berhenti di tengah jalan (tidak ada "
            "detak selama PILKADES_JOB_STALE_SECONDS): tidak ada yang tersimpan, jalankan lagi."
        ),
        responses={200: JOB_STATUS, 404: OpenApiResponse(description="Tidak ditemukan")},
    )
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(jobs_visible(request.user), pk=pk)
        return Response(api_status(job), headers={"Cache-Control": "no-store"})


class JobFileView(APIView):
    # A file answers whatever the client accepts (Accept: text/csv); errors stay JSON.
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Berkas hasil pekerjaan ekspor yang selesai",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="Berkas"),
            404: OpenApiResponse(description="Tidak ditemukan, atau belum selesai"),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        return job_file_response(job_file(request.user, pk))
