"""Ranking API: an operation's villages ranked by risk, for HQ, read from the stored standings."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api import JOB_STATUS, api_status
from operations import permissions
from operations.api.evidence import AnyAccept
from operations.api.risk import ERRORS, FieldsBuiltOnce, IsHQ
from operations.jobs import export_as_job, ranking_export_start
from operations.models import Operation, RiskLevel, Unit, VillageStanding
from operations.ranking_cache import cached_ranking_page, ranking_stamp
from operations.ranking_export import RANKING_FORMATS, ranking_file
from operations.selectors.ranking import ranking_for_operation, ranking_table
from villages.models import Kecamatan


class IsHQOrPolsek(BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.is_hq(request.user) or permissions.is_polsek(request.user)


class RankingFilterSerializer(serializers.Serializer):
    kecamatan = serializers.PrimaryKeyRelatedField(queryset=Kecamatan.objects.all(), required=False)
    polsek = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind=Unit.Kind.POLSEK), required=False
    )
    kabupaten = serializers.RegexField(
        r"^\d{2}\.\d{2}$",
        required=False,
        error_messages={"invalid": "Kode kabupaten/kota berbentuk 2 angka, titik, 2 angka (mis. 36.04)."},
    )
    level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)


class BlankAsNullCharField(serializers.CharField):
    """A stored empty string ("no Polsek") is answered as null, as clients read it."""

    def to_representation(self, value):
        return value or None


class StandingSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    desa = serializers.CharField(source="desa_name", read_only=True)
    polsek_name = BlankAsNullCharField(read_only=True, allow_null=True)
    level_label = serializers.CharField(read_only=True)

    class Meta:
        model = VillageStanding
        fields = [
            "village_election",
            "desa",
            "desa_code",
            "kecamatan",
            "kecamatan_name",
            "kabupaten_code",
            "polsek",
            "polsek_name",
            "level",
            "level_label",
            "computed_level",
            "is_overridden",
            "override_reason",
            "score",
            "registered_voters",
            "tps_count",
            "escorted_candidates",
            "required_personnel",
            "required_linmas",
            "assigned_personnel",
            "shortfall",
            "last_report_at",
        ]


@extend_schema(
    summary="Peringkat kerawanan desa suatu operasi (HQ: semua desa; Polsek: desa wilayahnya)",
    parameters=[
        OpenApiParameter("kecamatan", int, description="id kecamatan"),
        OpenApiParameter("polsek", int, description="id Polsek"),
        OpenApiParameter(
            "kabupaten", str, pattern=r"^\d{2}\.\d{2}$", description="kode kabupaten/kota, mis. 36.04"
        ),
        OpenApiParameter("level", int, enum=RiskLevel.values, description="1 Aman, 2 Rawan, 3 Sangat Rawan"),
    ],
    responses={200: StandingSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
)
class OperationRankingView(ListAPIView):
    """JSON pages are cached under the operation's ranking version, which every change of its rows bumps."""

    serializer_class = StandingSerializer
    # A Polsek reads the rows of its own villages (the jurisdiction limit below), HQ all of them.
    permission_classes = [IsHQOrPolsek]
    filter_backends: list = []

    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        stamp = ranking_stamp(self.kwargs["operation_id"])
        if stamp is None:
            raise Http404
        renderer = request.accepted_renderer
        if renderer.format != "json":  # the browsable API: rendered with the view, never cached
            return super().list(request, *args, **kwargs)
        content = cached_ranking_page(
            stamp=stamp,
            request=request,
            visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(request.user),
            render=lambda: renderer.render(
                super(OperationRankingView, self).list(request, *args, **kwargs).data,
                renderer.media_type,
                self.get_renderer_context(),
            ),
        )
        return HttpResponse(content, content_type=renderer.media_type)

    def get_queryset(self):
        # list() has found the operation (ranking_stamp, else 404); only its id filters the rows.
        operation = Operation(pk=self.kwargs["operation_id"])
        filters = RankingFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return ranking_for_operation(
            operation=operation,
            kecamatan_id=data["kecamatan"].pk if "kecamatan" in data else None,
            polsek_id=data["polsek"].pk if "polsek" in data else None,
            kabupaten=data.get("kabupaten"),
            level=data.get("level"),
            visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(self.request.user),
        )


class OperationRankingFileView(APIView):
    """The page's download for programs, by the same export function and the same job."""

    permission_classes = [IsHQ]
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Seluruh peringkat suatu operasi sebagai berkas CSV atau XLSX (HQ)",
        operation_id="v1_operations_ranking_file_retrieve",
        description=(
            "Sampai PILKADES_EXPORT_JOB_THRESHOLD desa: berkasnya langsung (200). Lebih dari itu: 202 "
            "dengan status pekerjaan yang membuatnya (Location: /api/v1/jobs/<id>/); bila selesai, "
            "file_url pada status itu memberi berkasnya. Permintaan yang sama selagi pekerjaannya belum "
            "selesai memberi pekerjaan yang sama."
        ),
        parameters=[
            OpenApiParameter("operation_id", int, OpenApiParameter.PATH),
            OpenApiParameter("file_format", str, OpenApiParameter.PATH, enum=list(RANKING_FORMATS)),
            OpenApiParameter("kecamatan", int, description="id kecamatan"),
            OpenApiParameter("polsek", int, description="id Polsek"),
            OpenApiParameter(
                "kabupaten", str, pattern=r"^\d{2}\.\d{2}$", description="kode kabupaten/kota, mis. 36.04"
            ),
            OpenApiParameter(
                "level", int, enum=RiskLevel.values, description="1 Aman, 2 Rawan, 3 Sangat Rawan"
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            202: JOB_STATUS,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request: Request, operation_id: int, file_format: str) -> HttpResponse:
        operation = get_object_or_404(Operation.objects.select_related("election"), pk=operation_id)
        filters = RankingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        selected = {
            "kecamatan_id": data["kecamatan"].pk if "kecamatan" in data else None,
            "polsek_id": data["polsek"].pk if "polsek" in data else None,
            "kabupaten": data.get("kabupaten"),
            "level": data.get("level"),
            "visible_kecamatan_ids": permissions.jurisdiction_kecamatan_ids(request.user),
        }
        if export_as_job(ranking_for_operation(operation=operation, **selected).count()):
            job = ranking_export_start(
                operation=operation, file_format=file_format, filters=selected, user=request.user
            )
            location = reverse("job-detail", args=[job.pk])
            return Response(api_status(job), status=202, headers={"Location": location})
        body, content_type, filename = ranking_file(
            operation=operation, rows=ranking_table(operation=operation, **selected), file_format=file_format
        )
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
