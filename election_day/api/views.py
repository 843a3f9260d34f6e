"""Hari-H API: check-ins, village progress, incidents and their triage, the Posko board, photos.

Input serializers parse; the election_day services decide (and check who may act); output
serializers answer. Field writes take an idempotency key (header ``Idempotency-Key`` or field
``idempotency_key``): the same key again answers 200 with the first result, the same key with
another body 422. Triage that lost a race answers 409 naming who acted.
"""

from __future__ import annotations

import json
import time
import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from election_day import permissions, selectors
from election_day.api.serializers import (
    BoardSerializer,
    CheckInInputSerializer,
    CheckInSerializer,
    DispatchInputSerializer,
    DispatchProposalSerializer,
    DispatchSerializer,
    IncidentCategorySerializer,
    IncidentInputSerializer,
    IncidentSerializer,
    MyAssignmentSerializer,
    PhotosInputSerializer,
    ProgressInputSerializer,
    ProgressStepSerializer,
    ResolveInputSerializer,
    StageWindowSerializer,
)
from election_day.lapsit import lapsit_pdf, lapsit_text
from election_day.models import (
    CheckIn,
    Incident,
    IncidentCategory,
    IncidentPhoto,
    LapsitSnapshot,
    ProgressStep,
    StageWindow,
)
from election_day.services import checkins as checkin_services
from election_day.services import dispatch as dispatch_services
from election_day.services import incidents as incident_services
from election_day.services import lapsit as lapsit_services
from election_day.services import progress as progress_services
from election_day.services import windows
from election_day.services.common import KeyReused
from operations.api.risk import REPLAYED_HEADER
from operations.models import Assignment, Operation

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=False,
    description="UUID per tindakan di ponsel; diulang = jawaban pertama (200), isi lain = 422.",
)
REPLAY_ERRORS = {
    409: OpenApiResponse(description="Sudah ditangani pengguna lain (pesan menyebut siapa)."),
    422: OpenApiResponse(description="Kunci idempotensi sudah dipakai untuk permintaan lain."),
}


def idempotency_key(request, data: dict) -> uuid.UUID | None:
    raw = request.headers.get("Idempotency-Key") or data.get("idempotency_key")
    if raw in (None, ""):
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise exceptions.ValidationError({"idempotency_key": [_("Kunci idempotensi harus UUID.")]}) from exc


class Unprocessable(exceptions.APIException):
    status_code = 422
    default_detail = _("Kunci idempotensi ini sudah dipakai untuk permintaan lain.")


def _service(call):
    """Run a service: its refusals become the API's 403/422 with the service's own words (a state
    conflict is a ``WrongState``: the shared handler answers 409)."""
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except KeyReused as exc:
        raise Unprocessable(exc.message) from exc


def _written(serializer_class, obj, created: bool, **context) -> Response:
    response = Response(
        serializer_class(obj, context=context).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )
    if not created:  # a replay: nothing was written, as a risk report's replay says
        response[REPLAYED_HEADER] = "true"
    return response


class IsHQ(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.can_see_board(request.user)


# --- check-ins -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Lapor tiba/selesai (HQ: semua; Polsek: wilayahnya; personel: miliknya)"),
    create=extend_schema(
        summary="Lapor tiba di lokasi / selesai",
        parameters=[IDEMPOTENCY_HEADER],
        request=CheckInInputSerializer,
        responses={201: CheckInSerializer, 200: CheckInSerializer, **REPLAY_ERRORS},
    ),
)
class CheckInViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CheckInSerializer
    queryset = CheckIn.objects.none()  # for the schema; rows come from get_queryset
    filterset_fields = ["operation", "stage", "kind", "village_election", "assignment", "officer"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        rows = CheckIn.objects.select_related("officer", "village_election__desa", "recorded_by").order_by(
            "-pk"
        )
        user = self.request.user
        ids = permissions.visible_kecamatan_ids(user)
        if ids is None:
            return rows
        officer = permissions.officer_of(user)
        own = rows.filter(officer=officer) if officer else rows.none()
        return (rows.filter(village_election__desa__kecamatan_id__in=ids) | own).distinct() if ids else own

    def create(self, request, *args, **kwargs):
        data = CheckInInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = idempotency_key(request, request.data) or uuid.uuid4()
        checkin, created = _service(
            lambda: checkin_services.checkin_record(
                assignment=values["assignment"],
                kind=values["kind"],
                by=request.user,
                idempotency_key=key,
                position=values.get("position"),
                client_time=values.get("client_time"),
            )
        )
        return _written(CheckInSerializer, checkin, created)


# --- progress --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Langkah kemajuan desa"),
    create=extend_schema(
        summary="Perbarui tahap desa (ketua tim)",
        parameters=[IDEMPOTENCY_HEADER],
        request=ProgressInputSerializer,
        responses={201: ProgressStepSerializer, 200: ProgressStepSerializer, **REPLAY_ERRORS},
    ),
)
class ProgressViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ProgressStepSerializer
    queryset = ProgressStep.objects.none()
    filterset_fields = ["operation", "village_election", "stage"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        rows = ProgressStep.objects.select_related("village_election__desa", "recorded_by").order_by("-pk")
        ids = permissions.visible_kecamatan_ids(self.request.user)
        if ids is None:
            return rows
        return rows.filter(village_election__desa__kecamatan_id__in=ids)

    def create(self, request, *args, **kwargs):
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = idempotency_key(request, request.data)
        step, created = _service(
            lambda: progress_services.progress_record(
                operation=values["operation"],
                village_election=values["village_election"],
                stage=values["stage"],
                reason=values.get("reason", ""),
                by=request.user,
                idempotency_key=key,
                client_time=values.get("client_time"),
            )
        )
        return _written(ProgressStepSerializer, step, created)


# --- incidents -------------------------------------------------------------------------------------


class IncidentPermission(drf_permissions.BasePermission):
    """Triage is the Kabag Ops'; reporting is checked per village by the service."""

    def has_permission(self, request, view) -> bool:
        if view.action in ("acknowledge", "resolve", "send_team", "dispatch_proposal"):
            return permissions.can_triage(request.user)
        return request.user.is_authenticated


@extend_schema_view(
    list=extend_schema(summary="Kejadian (HQ: semua; Polsek: wilayahnya)"),
    retrieve=extend_schema(summary="Satu kejadian"),
    create=extend_schema(
        summary="Laporkan kejadian (foto opsional, multipart)",
        parameters=[IDEMPOTENCY_HEADER],
        request={"multipart/form-data": IncidentInputSerializer, "application/json": IncidentInputSerializer},
        responses={201: IncidentSerializer, 200: IncidentSerializer, **REPLAY_ERRORS},
    ),
)
class IncidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = IncidentSerializer
    permission_classes = [IncidentPermission]
    queryset = Incident.objects.none()
    filterset_fields = ["operation", "state", "severity", "village_election", "category"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        user = self.request.user
        ids = permissions.visible_kecamatan_ids(user)
        if ids is not None and not ids:
            # An officer without an area reads what he reported himself (and may add photos to it).
            rows = selectors.incidents_visible(visible_kecamatan_ids=None).filter(reported_by=user)
        else:
            rows = selectors.incidents_visible(visible_kecamatan_ids=ids)
        return rows.prefetch_related("photos").order_by("-pk")

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "hq": permissions.can_see_photo_location(self.request.user),
        }

    def create(self, request, *args, **kwargs):
        data = IncidentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = idempotency_key(request, request.data)
        incident, created = _service(
            lambda: incident_services.incident_report(
                operation=values["operation"],
                village_election=values["village_election"],
                category=values["category"],
                severity=values["severity"],
                description=values["description"],
                source=values["source"],
                photos=values.get("photos", []),
                by=request.user,
                idempotency_key=key,
                client_time=values.get("client_time"),
            )
        )
        return _written(IncidentSerializer, incident, created, **self.get_serializer_context())

    @extend_schema(
        summary="Terima kejadian (Kabag Ops)",
        request=None,
        responses={200: IncidentSerializer, **REPLAY_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        incident = _service(
            lambda: incident_services.incident_acknowledge(incident=self.get_object(), by=request.user)
        )
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Selesaikan kejadian dengan catatan (Kabag Ops)",
        request=ResolveInputSerializer,
        responses={200: IncidentSerializer, **REPLAY_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = _service(
            lambda: incident_services.incident_resolve(
                incident=self.get_object(), note=data.validated_data["note"], by=request.user
            )
        )
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Usulan tim terdekat untuk kejadian (Kabag Ops)",
        parameters=[OpenApiParameter("size", OpenApiTypes.INT, description="Jumlah personel (min. 2).")],
        responses={200: DispatchProposalSerializer},
    )
    @action(detail=True, methods=["get"], url_path="dispatch-proposal")
    def dispatch_proposal(self, request, pk=None):
        raw = request.query_params.get("size", "2")
        if not raw.isdigit() or not 2 <= int(raw) <= 50:
            raise exceptions.ValidationError({"size": [_("Jumlah personel 2 sampai 50.")]})
        incident = self.get_object()
        found, proposal = selectors.dispatch_proposal(incident=incident, size=int(raw))
        data = {
            "incident": incident.pk,
            "stage": found.stage,
            "needs_polairud": found.needs_polairud,
            "available": len(found.pool),
            "team": proposal.team,
            "problem": proposal.problem,
            "message": dispatch_services.problem_message(proposal.problem) if proposal.problem else "",
        }
        return Response(DispatchProposalSerializer(data).data)

    @extend_schema(
        summary="Kirim tim ke kejadian (Kabag Ops; biasanya tim usulan)",
        request=DispatchInputSerializer,
        responses={200: DispatchSerializer(many=True), **REPLAY_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="dispatch")
    def send_team(self, request, pk=None):
        incident = self.get_object()
        data = DispatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispatches = _service(
            lambda: dispatch_services.dispatch_confirm(
                incident=incident, officer_ids=data.validated_data["officers"], by=request.user
            )
        )
        return Response(DispatchSerializer(dispatches, many=True).data)

    @extend_schema(
        summary="Tambah foto (pelapor atau Kabag Ops)",
        request={"multipart/form-data": PhotosInputSerializer},
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        incident = self.get_object()  # an incident outside the caller's area is a 404, whatever the body
        data = PhotosInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _service(
            lambda: incident_services.incident_add_photos(
                incident=incident, photos=data.validated_data["photos"], by=request.user
            )
        )
        return Response(IncidentSerializer(self.get_object(), context=self.get_serializer_context()).data)


class StageWindowPermission(drf_permissions.BasePermission):
    """Every API user reads the schedule (a phone's tool learns when check-ins are taken); the
    Kabag Ops sets it."""

    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return request.user.is_authenticated
        return permissions.can_triage(request.user)


@extend_schema_view(
    list=extend_schema(summary="Jadwal tahap: kapan lapor tiba diterima dan keterlambatan dihitung"),
    create=extend_schema(summary="Tetapkan jadwal tahap (Kabag Ops)"),
    partial_update=extend_schema(summary="Ubah jadwal tahap (Kabag Ops)"),
    destroy=extend_schema(summary="Hapus jadwal tahap (Kabag Ops)"),
)
class StageWindowViewSet(viewsets.ModelViewSet):
    serializer_class = StageWindowSerializer
    queryset = StageWindow.objects.order_by("operation_id", "starts_at", "pk")
    filterset_fields = ["operation", "stage"]
    permission_classes = [StageWindowPermission]

    def perform_create(self, serializer) -> None:
        window = StageWindow(**serializer.validated_data)
        serializer.instance = _service(lambda: windows.stage_window_save(window=window, by=self.request.user))

    def perform_update(self, serializer) -> None:
        window = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(window, name, value)
        serializer.instance = _service(lambda: windows.stage_window_save(window=window, by=self.request.user))

    def perform_destroy(self, instance) -> None:
        _service(lambda: windows.stage_window_delete(window=instance, by=self.request.user))


@extend_schema_view(list=extend_schema(summary="Katalog kategori kejadian"))
class IncidentCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IncidentCategorySerializer
    queryset = IncidentCategory.objects.filter(is_active=True).order_by("sort_order", "name")
    pagination_class = None


class IncidentPhotoView(APIView):
    """The stored JPEG (no EXIF) of a photo, for those who may read its incident."""

    @extend_schema(
        summary="Foto kejadian (JPEG tanpa EXIF)", responses={(200, "image/jpeg"): OpenApiTypes.BINARY}
    )
    def get(self, request, pk: int):
        photo = get_object_or_404(
            IncidentPhoto.objects.select_related("incident__village_election__desa"), pk=pk
        )
        ids = permissions.visible_kecamatan_ids(request.user)
        incident = photo.incident
        visible = (
            ids is None
            or incident.village_election.desa.kecamatan_id in ids
            or incident.reported_by_id == request.user.pk
        )
        if not visible:
            raise Http404
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- the officer's postings, the board ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Penugasan saya (dan tim yang saya pimpin) pada operasi berjalan")
)
class MyAssignmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MyAssignmentSerializer
    queryset = Assignment.objects.none()
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.my_assignments(user=self.request.user)


class BoardView(APIView):
    """The Posko board's data, answered 304 while nothing changed (ETag on the writers' version)."""

    permission_classes = [IsHQ]

    @staticmethod
    def etag(request, stamp) -> str:
        # The minute: officers become late as time passes, with no write to bump a version.
        minute = int(time.time() // 60)
        language = translation.get_language() or ""
        parts = (stamp.operation_id, stamp.version, stamp.assignment_version, stamp.ranking_version, minute)
        return 'W/"board-' + "-".join(map(str, parts)) + f'-{language}"'

    @extend_schema(
        summary="Data papan Posko (ETag/304)",
        parameters=[
            OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)
        ],
        responses={200: BoardSerializer, 304: OpenApiResponse(description="Tidak berubah sejak ETag ini.")},
    )
    def get(self, request, operation_id: int):
        stamp = selectors.board_stamp(operation_id)
        if stamp is None:
            raise Http404
        etag = self.etag(request, stamp)
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            operation = Operation.objects.get(pk=operation_id)
            response = Response(selectors.board(operation=operation, stamp=stamp))
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response


# --- Lapsit and closing ------------------------------------------------------------------------------


class PlainTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "text"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)  # an error answer


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class LapsitView(APIView):
    """The situation report now (or the final report of a closed operation): JSON, chat text or PDF."""

    permission_classes = [IsHQ]
    renderer_classes = [renderers.JSONRenderer, PlainTextRenderer, PDFRenderer]

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with 404; it is bad input, so 400 naming the choices.
        wanted = request.query_params.get("format")
        if not force and wanted is not None and wanted not in ("json", "text", "pdf"):
            raise exceptions.ValidationError({"format": [_("Format harus json, text atau pdf.")]})
        return super().perform_content_negotiation(request, force)

    def handle_exception(self, exc):
        # An error is answered in the API's JSON error shape whatever format was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return response

    @extend_schema(
        summary="Lapsit saat ini (?format=json|text|pdf); laporan akhir bila operasi ditutup",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "text", "pdf"])],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/plain"): OpenApiTypes.STR,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, operation_id: int):
        operation = get_object_or_404(Operation, pk=operation_id)
        final = LapsitSnapshot.objects.filter(operation=operation, kind=LapsitSnapshot.Kind.FINAL).first()
        data = final.data if final is not None else selectors.lapsit_data(operation=operation)
        fmt = request.accepted_renderer.format
        if fmt == "text":
            response = Response(lapsit_text(data))
        elif fmt == "pdf":
            response = Response(lapsit_pdf(data))
            name = "laporan-akhir" if final is not None else "lapsit"
            response["Content-Disposition"] = f'attachment; filename="{name}-{operation.pk}.pdf"'
        else:
            response = Response({**data, "text": lapsit_text(data)})
        return response


class OperationCloseView(APIView):
    """The Kabag Ops closes the operation; the answer is the final report (laporan akhir)."""

    permission_classes = [IsHQ]

    @extend_schema(
        summary="Tutup operasi dan buat laporan akhir (Kabag Ops)",
        request=None,
        responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request, operation_id: int):
        operation = get_object_or_404(Operation, pk=operation_id)
        snapshot = _service(lambda: lapsit_services.operation_close(operation=operation, by=request.user))
        return Response({**snapshot.data, "text": snapshot.text})
