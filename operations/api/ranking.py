"""Ranking API: an operation's villages ranked by risk, for HQ, read from the stored standings."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from operations import permissions
from operations.api.risk import ERRORS, IsHQ
from operations.models import Operation, RiskLevel, Unit, VillageStanding
from operations.selectors.ranking import ranking_for_operation
from villages.models import Kecamatan


class RankingFilterSerializer(serializers.Serializer):
    kecamatan = serializers.PrimaryKeyRelatedField(queryset=Kecamatan.objects.all(), required=False)
    polsek = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind=Unit.Kind.POLSEK), required=False
    )
    level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)


class StandingSerializer(serializers.ModelSerializer):
    desa = serializers.CharField(source="village_election.desa.name", read_only=True)
    kecamatan_name = serializers.CharField(source="kecamatan.name", read_only=True)
    polsek_name = serializers.CharField(source="polsek.name", read_only=True, default=None, allow_null=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = VillageStanding
        fields = [
            "village_election",
            "desa",
            "desa_code",
            "kecamatan",
            "kecamatan_name",
            "polsek",
            "polsek_name",
            "level",
            "level_label",
            "computed_level",
            "is_overridden",
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
    summary="Peringkat kerawanan desa suatu operasi (HQ)",
    parameters=[
        OpenApiParameter("kecamatan", int, description="id kecamatan"),
        OpenApiParameter("polsek", int, description="id Polsek"),
        OpenApiParameter("level", int, enum=RiskLevel.values, description="1 Aman, 2 Rawan, 3 Sangat Rawan"),
    ],
    responses={200: StandingSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
)
class OperationRankingView(ListAPIView):
    serializer_class = StandingSerializer
    permission_classes = [IsHQ]
    filter_backends: list = []

    def get_queryset(self):
        operation = get_object_or_404(Operation, pk=self.kwargs["operation_id"])
        filters = RankingFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return ranking_for_operation(
            operation=operation,
            kecamatan_id=data["kecamatan"].pk if "kecamatan" in data else None,
            polsek_id=data["polsek"].pk if "polsek" in data else None,
            level=data.get("level"),
            visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(self.request.user),
        )
