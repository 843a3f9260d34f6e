"""Deployment API: assignments, allocation proposals (compute, apply, discard) and the order files.

Input serializers parse, the assignment and proposal services decide, output serializers answer.
HQ reads; only Kabag Ops writes. Token authentication comes first so an anonymous call gets 401.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api import JOB_STATUS, api_status
from operations import exports, permissions
from operations.jobs import export_as_job, order_export_rows, order_export_start
from operations.models import (
    AllocationProposal,
    Assignment,
    Duty,
    Officer,
    Operation,
    ProposalItem,
    Stage,
    Unit,
)
from operations.selectors.deployment import team_leader_ids
from operations.selectors.order import order_polsek
from operations.services import assignments as assignment_services
from operations.services import proposals as proposal_services
from pilkades.filters import FilterSet
from pilkades.serializers import StrictInput
from villages.models import Candidate, Kecamatan, VillageElection

ERRORS = {
    400: OpenApiResponse(description="Data tidak valid: {detail, errors: {field: [pesan]}}"),
    401: OpenApiResponse(description="Belum masuk"),
    403: OpenApiResponse(description="Tidak berwenang"),
    404: OpenApiResponse(description="Tidak ditemukan"),
}


class HQReadsKabagOpsWrites(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return permissions.is_hq(request.user)
        return permissions.can_assign(request.user)


# --- assignments -------------------------------------------------------------------------------


class AssignmentFilter(FilterSet):
    # A choice filter, like the generated ones: an unknown id is a 400, never a query with it.
    unit = filters.ModelChoiceFilter(field_name="officer__unit", queryset=Unit.objects.all(), label="Satuan")

    class Meta:
        model = Assignment
        fields = ["operation", "stage", "duty", "village_election", "officer", "unit"]


class AssignmentSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    officer_nrp = serializers.CharField(source="officer.nrp", read_only=True)
    officer_rank = serializers.CharField(source="officer.get_rank_display", read_only=True)
    unit = serializers.CharField(source="officer.unit.name", read_only=True)
    jabatan = serializers.CharField(source="officer.position_title", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.get_username", read_only=True)
    leads_team = serializers.SerializerMethodField(
        help_text="Memimpin tim desanya: yang ditunjuk Kabag Ops (is_team_leader), atau bila tidak ada, "
        "pangkat tertinggi (lalu NRP terendah). Ketua tim boleh melapor untuk timnya."
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "operation",
            "stage",
            "duty",
            "officer",
            "officer_name",
            "officer_nrp",
            "officer_rank",
            "unit",
            "jabatan",
            "village_election",
            "candidate",
            "kecamatan",
            "is_team_leader",
            "leads_team",
            "note",
            "command_reason",
            "assigned_by",
            "assigned_at",
        ]
        read_only_fields = fields

    def get_leads_team(self, posting: Assignment) -> bool:
        # The view reads the leaders of a whole page at once; a single posting asks for its own.
        leaders = self.context.get("team_leaders")
        if leaders is None:
            leaders = team_leader_ids([posting])
        return posting.pk in leaders


class AssignmentInputSerializer(StrictInput, serializers.Serializer):
    operation = serializers.PrimaryKeyRelatedField(queryset=Operation.objects.all())
    officer = serializers.PrimaryKeyRelatedField(queryset=Officer.objects.all())
    duty = serializers.ChoiceField(choices=Duty.choices)
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.VOTING)
    village_election = serializers.PrimaryKeyRelatedField(
        queryset=VillageElection.objects.all(), required=False, allow_null=True, default=None
    )
    candidate = serializers.PrimaryKeyRelatedField(
        queryset=Candidate.objects.all(), required=False, allow_null=True, default=None
    )
    kecamatan = serializers.PrimaryKeyRelatedField(
        queryset=Kecamatan.objects.all(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    command_reason = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="Daftar penugasan", responses={200: AssignmentSerializer, **ERRORS}),
    retrieve=extend_schema(summary="Satu penugasan", responses={200: AssignmentSerializer, **ERRORS}),
    create=extend_schema(
        summary="Tugaskan personel (Kabag Ops)",
        description="Aturan: aktif, BKO sudah tiba, Polsek di wilayahnya, netralitas, tanpa tugas ganda.",
        request=AssignmentInputSerializer,
        responses={201: AssignmentSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary="Lepas penugasan (Kabag Ops)", responses={204: None, **ERRORS}),
)
class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [HQReadsKabagOpsWrites]
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["assigned_at", "officer__rank"]
    queryset = Assignment.objects.select_related("officer__unit", "officer__jabatan", "assigned_by").order_by(
        "pk"
    )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.team_leaders = team_leader_ids(list(queryset) if page is None else page)
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "team_leaders"):
            context["team_leaders"] = self.team_leaders
        return context

    def create(self, request, *args, **kwargs):
        data = AssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignment_services.assignment_create(**data.validated_data, by=request.user)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        assignment_services.assignment_delete(assignment=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- proposals ---------------------------------------------------------------------------------


class ProposalItemSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    officer_nrp = serializers.CharField(source="officer.nrp", read_only=True)
    unit = serializers.CharField(source="officer.unit.name", read_only=True)
    jabatan = serializers.CharField(source="officer.position_title", read_only=True)
    reason = serializers.JSONField(
        read_only=True, help_text="level, rank, km, role, capability, desa_binaan, reaction"
    )
    reason_text = serializers.CharField(read_only=True)

    class Meta:
        model = ProposalItem
        fields = [
            "officer",
            "officer_name",
            "officer_nrp",
            "unit",
            "jabatan",
            "village_election",
            "duty",
            "candidate",
            "kecamatan",
            "distance_km",
            "reason",
            "reason_text",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = AllocationProposal
        fields = [
            "id",
            "operation",
            "stage",
            "status",
            "based_on_version",
            "created_at",
            "decided_at",
            "total_distance_km",
            "total_shortfall",
            "summary",
            "items",
        ]
        read_only_fields = fields

    @extend_schema_field(ProposalItemSerializer(many=True))
    def get_items(self, proposal: AllocationProposal) -> list[dict]:
        items = proposal.items.select_related("officer__unit", "officer__jabatan").order_by(
            "village_election_id", "officer_id"
        )
        return ProposalItemSerializer(items, many=True).data


class ProposalInputSerializer(StrictInput, serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.VOTING)
    exclude_bko = serializers.BooleanField(default=False)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=sorted(proposal_services.CONFLICT_CODES))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _error_codes(exc: DjangoValidationError) -> set[str | None]:
    # Only a single-message error has ``.code``: a service may raise a list (one message per
    # officer) or a dict (per field), so the codes are read from the messages themselves.
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


def _conflict(exc: DjangoValidationError, codes: frozenset[str]) -> Response | None:
    """The 409 of a proposal that cannot be applied as it stands, or None if ``exc`` is not one."""
    found = _error_codes(exc) & codes
    if not found:
        return None
    return Response(
        {"detail": " ".join(exc.messages), "code": min(found), "errors": {"non_field_errors": exc.messages}},
        status=status.HTTP_409_CONFLICT,
    )


class OperationProposalView(APIView):
    permission_classes = [HQReadsKabagOpsWrites]

    @extend_schema(
        summary="Hitung usulan alokasi (Kabag Ops)",
        description="Desa Sangat Rawan dipenuhi lebih dulu, lalu Rawan, lalu Aman; lalu jarak terpendek.",
        request=ProposalInputSerializer,
        responses={201: ProposalSerializer, **ERRORS},
    )
    def post(self, request, operation_id: int):
        operation = get_object_or_404(Operation, pk=operation_id)
        data = ProposalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = proposal_services.proposal_create(
            operation=operation, by=request.user, **data.validated_data
        )
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="Satu usulan alokasi", responses={200: ProposalSerializer, **ERRORS}),
)
class ProposalViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HQReadsKabagOpsWrites]
    serializer_class = ProposalSerializer
    queryset = AllocationProposal.objects.all()

    @extend_schema(
        summary="Terapkan usulan (Kabag Ops)",
        description=(
            "Sekaligus dan atomik; ditolak (409) bila penugasan tahapnya atau tingkat/kebutuhan desa "
            "berubah sejak usulan dibuat, atau bila personel yang diusulkan kini tidak dapat ditugaskan."
        ),
        request=None,
        responses={200: ProposalSerializer, 409: ConflictSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None, **kwargs):
        proposal = self.get_object()
        try:
            proposal_services.proposal_apply(proposal=proposal, by=request.user)
        except DjangoValidationError as exc:
            conflict = _conflict(exc, proposal_services.CONFLICT_CODES)
            if conflict is None:
                raise
            return conflict
        proposal.refresh_from_db()
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(
        summary="Batalkan usulan (Kabag Ops)",
        request=None,
        responses={200: ProposalSerializer, 409: ConflictSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None, **kwargs):
        try:
            proposal = proposal_services.proposal_discard(proposal=self.get_object(), by=request.user)
        except DjangoValidationError as exc:
            conflict = _conflict(exc, frozenset({proposal_services.CLOSED_CODE}))
            if conflict is None:
                raise
            return conflict
        return Response(ProposalSerializer(proposal).data)


# --- order -------------------------------------------------------------------------------------


class OperationOrderView(APIView):
    permission_classes = [HQReadsKabagOpsWrites]

    @extend_schema(
        summary="Lampiran Sprin (PDF, XLSX atau CSV)",
        description=(
            "Untuk lebih dari PILKADES_EXPORT_JOB_THRESHOLD desa: 202 dengan status pekerjaan yang "
            "membuatnya (Location: /api/v1/jobs/<id>/; file_url memberi berkasnya bila selesai)."
        ),
        operation_id="v1_operations_order_retrieve",
        parameters=[
            OpenApiParameter("operation_id", int, OpenApiParameter.PATH),
            OpenApiParameter("file_format", str, OpenApiParameter.PATH, enum=list(exports.ORDER_FORMATS)),
            OpenApiParameter(
                "polsek",
                int,
                OpenApiParameter.QUERY,
                required=False,
                description="Id satuan Polsek: petikan untuk Polsek itu (desa wilayahnya, personelnya). "
                "Id yang bukan Polsek: 400.",
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            202: JOB_STATUS,
            **ERRORS,
        },
    )
    def get(self, request, operation_id: int, file_format: str):
        operation = get_object_or_404(
            Operation.objects.select_related("election", "pattern_set"), pk=operation_id
        )
        polsek = order_polsek(value=request.query_params.get("polsek"))
        if export_as_job(order_export_rows(operation=operation, polsek=polsek)):
            job = order_export_start(
                operation=operation, file_format=file_format, polsek=polsek, user=request.user
            )
            location = reverse("job-detail", args=[job.pk])
            return Response(api_status(job), status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        body, content_type, filename = exports.order_file(
            operation=operation, file_format=file_format, polsek=polsek
        )
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
