"""Risk API: reports and their lifecycle actions, the indicator catalogue, the override.

Input serializers parse, the report services decide, output serializers answer. Rows are limited
by the caller's jurisdiction through the same selectors the pages use.
"""

import copy
import threading
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from operations import permissions
from operations.models import (
    RiskIndicator,
    RiskLevel,
    RiskReport,
    RiskReportAnswer,
    RiskReportTransition,
    VillageRisk,
)
from operations.selectors.reports import report_with_rows, reports_in_jurisdiction, reports_visible
from operations.selectors.villages import village_elections_visible
from operations.services import reports as report_services
from pilkades.serializers import StrictInput
from villages.models import VillageElection

ERRORS = {
    400: OpenApiResponse(description="Data tidak valid: {detail, errors: {field: [pesan]}}"),
    403: OpenApiResponse(description="Tidak berwenang"),
    404: OpenApiResponse(description="Tidak ditemukan (atau di luar wilayah hukum)"),
}
# A transition the report's state does not allow (verify a verified report, change a submitted one).
WRONG_STATE = {409: OpenApiResponse(description="Status laporan tidak mengizinkan tindakan ini")}


class IsHQ(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.is_hq(request.user)


class IsKabagOps(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.is_kabag_ops(request.user)


class ReportPermission(drf_permissions.BasePermission):
    """Checked before the body is read: Polsek officers write reports, Kabag Ops decides them.

    Which rows a caller sees follows his jurisdiction (the queryset); authorship is the service's.
    """

    def has_permission(self, request, view) -> bool:
        if view.action in ("verify", "return_"):
            return permissions.can_verify_reports(request.user)
        if view.action in ("create", "partial_update", "submit"):
            return permissions.is_polsek(request.user)
        return request.user.is_authenticated


class IsKabagOpsOrReadOnly(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return request.user.is_authenticated
        return permissions.is_kabag_ops(request.user)


# --- reports -----------------------------------------------------------------------------------


class AnswerInputSerializer(StrictInput, serializers.Serializer):
    # The code only: the codes of all answers are resolved together, in one query, by
    # ``_with_indicators`` (a related field would read the catalogue once per answer).
    indicator = serializers.SlugField(max_length=50, help_text="Kode indikator aktif")
    flag = serializers.BooleanField(required=False, allow_null=True, default=None)
    number = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    unknown = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "true: tidak diketahui (tanpa flag/number); desa tidak turun di bawah tingkat bawaan operasi"
        ),
    )
    evidence = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Catatan atau bukti. Wajib bila jawaban atas data pilkades desa yang tercatat (jumlah"
            " calon, DPT, panitia) berbeda dari catatan itu: alasan koreksinya; tanpa catatan: 400,"
            " kesalahan di bawah kode indikatornya."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["unknown"] and (attrs["flag"] is not None or attrs["number"] is not None):
            raise serializers.ValidationError(
                {"unknown": [_("Pilih nilai atau 'tidak diketahui', bukan keduanya.")]}
            )
        return attrs


def _with_indicators(answers: list[dict]) -> list[dict]:
    """Each answer with its active indicator row in place of the code, or a 400 on the unknown ones.

    Read from the database on every request, never cached: Kabag Ops edits the catalogue.
    """
    indicators = RiskIndicator.objects.filter(is_active=True).in_bulk(
        {a["indicator"] for a in answers}, field_name="code"
    )
    errors = [
        {}
        if a["indicator"] in indicators
        else {"indicator": [_("Indikator %(id)s tidak ada atau tidak aktif.") % {"id": a["indicator"]}]}
        for a in answers
    ]
    if any(errors):
        raise serializers.ValidationError(errors)
    return [{**a, "indicator": indicators[a["indicator"]]} for a in answers]


def _answers(validated: list[dict]) -> list[report_services.AnswerData]:
    return [
        report_services.AnswerData(
            indicator_id=a["indicator"].pk,
            indicator=a["indicator"],
            flag=a["flag"],
            number=a["number"],
            unknown=a["unknown"],
            evidence=a["evidence"],
        )
        for a in validated
    ]


class ReportCreateSerializer(StrictInput, serializers.Serializer):
    village_election = serializers.PrimaryKeyRelatedField(queryset=VillageElection.objects.none())
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    answers = AnswerInputSerializer(many=True, required=False, default=list)
    idempotency_key = serializers.UUIDField(required=False, allow_null=True, default=None)
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "true: laporan dibuat lalu langsung diajukan ke Kabag Ops dalam satu transaksi (seperti"
            " membuat lalu memanggil submit/). Diulang dengan idempotency_key yang sama: laporan"
            " yang sama dikembalikan, tidak diajukan dua kali."
        ),
    )
    client_time = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Waktu di ponsel saat laporan diajukan (antrian aplikasi lapangan yang mengirim setelah"
            " sinyal kembali); disimpan di samping submitted_at hanya bila submit: true."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Villages outside the caller's jurisdiction do not exist for him: a field error, no data.
            self.fields["village_election"].queryset = village_elections_visible(
                visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(request.user)
            )

    def validate_answers(self, answers: list[dict]) -> list[dict]:
        return _with_indicators(answers)


class ReportUpdateSerializer(StrictInput, serializers.Serializer):
    narrative = serializers.CharField(required=False, allow_blank=True)
    answers = AnswerInputSerializer(many=True, required=False)

    def validate_answers(self, answers: list[dict]) -> list[dict]:
        return _with_indicators(answers)


REPLAYED_HEADER = "Idempotent-Replayed"


class KeyReused(serializers.ValidationError):
    """422: the idempotency key belongs to another request (see ``report_save_keyed``)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class ReturnSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class FieldsBuiltOnce:
    """For a ModelSerializer: work its fields out from the model once per class, not per instance.

    DRF rebuilds a ModelSerializer's fields from the model's for every serializer it makes (the
    report's, its answers', its transitions'), which was a seventh of a submission's CPU. They
    depend on the class alone, so they are built once and deep-copied per instance, as DRF does
    with a plain Serializer's declared fields.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)


class AnswerOutputSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator_label = serializers.CharField(source="indicator.label", read_only=True)
    attachment = serializers.SerializerMethodField(
        help_text="URL lampiran (dilayani dengan izin laporan), atau null"
    )

    def get_attachment(self, answer: RiskReportAnswer) -> str | None:
        if not answer.attachment:
            return None
        url = reverse("evidence", args=[answer.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    class Meta:
        model = RiskReportAnswer
        fields = [
            "indicator",
            "indicator_label",
            "flag",
            "number",
            "unknown",
            "evidence",
            "attachment",
            "contribution",
        ]


class TransitionOutputSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    by = serializers.CharField(source="by.get_username", read_only=True)

    class Meta:
        model = RiskReportTransition
        fields = ["from_status", "to_status", "by", "at", "reason"]


class ReportOutputSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    desa = serializers.CharField(source="village_election.desa.name", read_only=True)
    kecamatan = serializers.CharField(source="village_election.desa.kecamatan.name", read_only=True)
    author = serializers.CharField(source="author.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True)
    answers = AnswerOutputSerializer(many=True, read_only=True)
    transitions = TransitionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = RiskReport
        fields = [
            "id",
            "village_election",
            "desa",
            "kecamatan",
            "status",
            "narrative",
            "author",
            "created_at",
            "submitted_at",
            "client_time",
            "decided_at",
            "decided_by",
            "return_reason",
            "score",
            "computed_level",
            "answers",
            "transitions",
        ]


_bound = threading.local()


def _report_data(report: RiskReport, request: Request) -> dict:
    """``ReportOutputSerializer(report).data``, from a serializer bound once per thread.

    Every new serializer deep-copies its fields and its nested answers' and transitions' serializers
    (two thirds of what answering one report costs); to_representation keeps no state of its own,
    so one tree per thread serves every write's answer. Only the context (the request, for the
    attachments' absolute URLs) changes, and it is dropped afterwards.
    """
    serializer = getattr(_bound, "report", None)
    if serializer is None:
        serializer = _bound.report = ReportOutputSerializer()
    serializer._context = {"request": request}
    try:
        return serializer.to_representation(report)
    finally:
        serializer._context = {}


def _output(report: RiskReport, request: Request, code: int = status.HTTP_200_OK) -> Response:
    """The report as the caller sees it now, in a fixed number of queries.

    The services hand back the row they wrote with the village, desa, kecamatan and users joined (a
    new report: the caller's village and user). A report just created also holds its answers and
    transitions and is answered as it is; any other gets them read, in two queries.
    """
    held = getattr(report, "_prefetched_objects_cache", {})
    if not {"answers", "transitions"} <= held.keys():
        report = report_with_rows(report)
    return Response(_report_data(report, request), status=code)


WRITE_ACTIONS = {"partial_update", "submit", "verify", "return_"}


@extend_schema_view(
    list=extend_schema(
        summary="Laporan kerawanan (dibatasi wilayah hukum)", responses={200: ReportOutputSerializer}
    ),
    retrieve=extend_schema(responses={200: ReportOutputSerializer, 404: ERRORS[404]}),
)
class RiskReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReportOutputSerializer
    permission_classes = [ReportPermission]
    filterset_fields = ["status", "village_election"]
    ordering_fields = ["created_at", "submitted_at", "decided_at"]

    def get_queryset(self):
        visible = permissions.jurisdiction_kecamatan_ids(self.request.user)
        if self.action in WRITE_ACTIONS:
            # Only "is it his": the service locks and re-reads the row with what it and the answer
            # need, so nothing joined or prefetched here would be looked at.
            return reports_in_jurisdiction(visible_kecamatan_ids=visible)
        return reports_visible(visible_kecamatan_ids=visible)

    def filter_queryset(self, queryset):
        # The list's filters (status, village, ordering) mean nothing to an action on one report,
        # and django-filter builds its filter set anew on every request.
        if self.action in WRITE_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Buat draf laporan, atau laporan yang langsung diajukan (Polsek)",
        description=(
            "Membuat draf. Dengan `submit: true` laporan dibuat dan diajukan dalam satu transaksi;"
            " riwayatnya sama dengan membuat lalu mengajukan (draf dibuat, lalu diajukan, oleh"
            " pelapor). Jawaban 201 memuat laporan beserta jawaban dan transisinya. Dengan"
            " `idempotency_key` yang sudah dipakai: isi yang sama = ulangan (200, header"
            " `Idempotent-Replayed: true`, tidak ada yang ditulis); isi lain dari pelapor yang sama"
            " untuk desa yang sama selagi laporannya masih draf = draf diperbarui (200); selain itu"
            " 422."
        ),
        request=ReportCreateSerializer,
        responses={
            201: ReportOutputSerializer,
            200: OpenApiResponse(
                ReportOutputSerializer,
                description=(
                    "Kunci idempotensi yang sudah dipakai: ulangan permintaan yang sama (header"
                    " Idempotent-Replayed: true), atau draf pelapor untuk desa yang sama diperbarui."
                ),
            ),
            400: ERRORS[400],
            403: ERRORS[403],
            422: OpenApiResponse(
                description="Kunci idempotensi sudah dipakai untuk laporan lain atau isi yang berbeda."
            ),
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = ReportCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {
            "village_election": data["village_election"],
            "author": request.user,
            "narrative": data["narrative"],
            "answers": _answers(data["answers"]),
            "submit": data["submit"],
            "client_time": data["client_time"],
        }
        if data["idempotency_key"] is None:
            return _output(report_services.report_create(**fields), request, status.HTTP_201_CREATED)
        try:
            saved = report_services.report_save_keyed(idempotency_key=data["idempotency_key"], **fields)
        except report_services.IdempotencyKeyReused as exc:
            raise KeyReused(exc.message_dict) from exc
        code = status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK
        response = _output(saved.report, request, code)
        if saved.replayed:
            response[REPLAYED_HEADER] = "true"
        return response

    @extend_schema(
        summary="Ubah draf atau laporan dikembalikan (pelapor)",
        request=ReportUpdateSerializer,
        responses={
            200: ReportOutputSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            **WRONG_STATE,
        },
    )
    def partial_update(self, request: Request, pk=None, **kwargs) -> Response:
        report = self.get_object()
        serializer = ReportUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = report_services.report_update(
            report=report,
            by=request.user,
            narrative=data.get("narrative"),
            answers=_answers(data["answers"]) if "answers" in data else None,
        )
        return _output(report, request)

    @extend_schema(
        summary="Ajukan laporan ke Kabag Ops (pelapor)",
        request=None,
        responses={
            200: ReportOutputSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            **WRONG_STATE,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None, **kwargs) -> Response:
        report = report_services.report_submit(report=self.get_object(), by=request.user)
        return _output(report, request)

    @extend_schema(
        summary="Verifikasi laporan (Kabag Ops)",
        request=None,
        responses={
            200: ReportOutputSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            **WRONG_STATE,
        },
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk=None, **kwargs) -> Response:
        report = report_services.report_verify(report=self.get_object(), by=request.user)
        return _output(report, request)

    @extend_schema(
        summary="Kembalikan laporan dengan alasan (Kabag Ops)",
        request=ReturnSerializer,
        responses={
            200: ReportOutputSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            **WRONG_STATE,
        },
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None, **kwargs) -> Response:
        report = self.get_object()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_services.report_return(
            report=report, by=request.user, reason=serializer.validated_data["reason"]
        )
        return _output(report, request)


# --- indicators --------------------------------------------------------------------------------


class IndicatorSerializer(StrictInput, serializers.ModelSerializer):
    full_weight_at = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )

    class Meta:
        model = RiskIndicator
        fields = [
            "id",
            "code",
            "label",
            "help_text",
            "kind",
            "weight",
            "full_weight_at",
            "unit_label",
            "is_active",
            "order",
        ]

    def validate(self, attrs: dict) -> dict:
        # The model's constraints (number indicators need full_weight_at) as field errors, not 500s.
        candidate = RiskIndicator(**{**(self._current() if self.instance else {}), **attrs})
        if self.instance is not None:
            candidate.pk = self.instance.pk
        try:
            # Uniqueness is the serializer's own validator; this checks fields and constraints.
            candidate.full_clean(validate_unique=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def _current(self) -> dict:
        return {name: getattr(self.instance, name) for name in self.Meta.fields if name != "id"}


@extend_schema_view(
    create=extend_schema(responses={201: IndicatorSerializer, 400: ERRORS[400], 403: ERRORS[403]}),
    update=extend_schema(
        responses={200: IndicatorSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]}
    ),
    partial_update=extend_schema(
        responses={200: IndicatorSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]}
    ),
)
class RiskIndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The indicator catalogue: everyone reads it, Kabag Ops edits it.

    New weights apply to later verifications only; verified reports keep their frozen scores.
    """

    queryset = RiskIndicator.objects.order_by("order", "code")
    serializer_class = IndicatorSerializer
    permission_classes = [IsKabagOpsOrReadOnly]
    filterset_fields = ["is_active", "kind"]


# --- override ----------------------------------------------------------------------------------


class OverrideInputSerializer(StrictInput, serializers.Serializer):
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    reason = serializers.CharField(max_length=2000)


class VillageRiskSerializer(serializers.ModelSerializer):
    override_by = serializers.CharField(source="override_by.get_username", read_only=True, allow_null=True)

    class Meta:
        model = VillageRisk
        fields = [
            "village_election",
            "report",
            "score",
            "computed_level",
            "override_level",
            "override_reason",
            "override_by",
            "override_at",
            "last_report_at",
        ]


class VillageOverrideView(APIView):
    """Kabag Ops sets (POST) or clears (DELETE) a village's risk level, with a written reason."""

    permission_classes = [IsKabagOps]

    def _village(self, pk: int) -> VillageElection:
        return get_object_or_404(village_elections_visible(visible_kecamatan_ids=None), pk=pk)

    @extend_schema(
        summary="Tetapkan tingkat kerawanan desa (Kabag Ops)",
        request=OverrideInputSerializer,
        responses={200: VillageRiskSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
    )
    def post(self, request: Request, pk: int) -> Response:
        village_election = self._village(pk)
        serializer = OverrideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        risk = report_services.risk_override(
            village_election=village_election,
            level=serializer.validated_data["level"],
            reason=serializer.validated_data["reason"],
            by=request.user,
        )
        return Response(VillageRiskSerializer(risk).data)

    @extend_schema(
        summary="Cabut penetapan tingkat (Kabag Ops)",
        request=None,
        responses={200: VillageRiskSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def delete(self, request: Request, pk: int) -> Response:
        risk = report_services.risk_override_clear(village_election=self._village(pk), by=request.user)
        return Response(VillageRiskSerializer(risk).data)
