"""The API's view of a job: the status its progress page polls, for a program that started one."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.access import jobs_visible
from jobs.services import job_status

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
    },
)


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
        return Response(job_status(job), headers={"Cache-Control": "no-store"})
