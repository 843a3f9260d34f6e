"""Bulk writes beside the officers' upsert: decide many reports, post many officers, upsert village
elections and candidates.

Each endpoint takes one list, checks every row's shape first, then writes the rows one by one in
ONE transaction through the single-row service the rest of the desk uses (report_verify,
assignment_create, village_election_save, candidate_save), each row in its own savepoint so a
refused row does not stop the others being checked. Any refused row: nothing is written, and the
answer names every refused row by its index (from 0) in the officers bulk's shape,
``errors.rows.{index}.{field}``. The rules stay in the services; this module only loops.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from operations.api.deployment import AssignmentInputSerializer, AssignmentSerializer
from operations.api.organisation import BULK_MAX_ROWS, BulkResultSerializer, row_errors
from operations.models import RiskReport
from operations.permissions import is_kabag_ops
from operations.selectors.deployment import team_leader_ids
from operations.selectors.reports import reports_in_jurisdiction
from operations.services import assignments as assignment_services
from operations.services import reports as report_services
from operations.services import setup
from pilkades.serializers import StrictInput
from villages.api.serializers import CandidateSerializer, VillageElectionSerializer
from villages.models import Candidate, VillageElection


class IsKabagOps(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_kabag_ops(request.user)


class _RowRefused(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        errors = dict(exc.message_dict)
        if "__all__" in errors:
            errors["non_field_errors"] = errors.pop("__all__")
        return errors
    return {"non_field_errors": exc.messages}


def each_or_none(rows: list, write: Callable[[object], object]) -> list:
    """``write(row)`` for every row in one transaction, all or none; refused rows by index."""
    errors: dict[int, dict] = {}
    results = []
    with transaction.atomic():
        for index, row in enumerate(rows):
            try:
                with transaction.atomic():
                    results.append(write(row))
            except DjangoValidationError as exc:
                errors[index] = _django_errors(exc)
            except _RowRefused as exc:
                errors[index] = exc.errors
        if errors:
            # Raised inside the transaction: every row written so far is rolled back with it.
            raise row_errors(errors)
    return results


def _envelope(serializer_class: type[serializers.Serializer], data, key: str) -> list:
    """The body's list, every row's shape checked: a bad row is named by its index."""
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return serializer.validated_data[key]
    rows = serializer.errors.get(key)
    if isinstance(rows, list) and any(isinstance(row, dict) and row for row in rows):
        raise row_errors(rows)
    if isinstance(rows, dict) and rows and all(str(k).isdigit() for k in rows):
        raise row_errors(rows)
    raise serializers.ValidationError(serializer.errors)


class BulkView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsKabagOps]


# --- reports -------------------------------------------------------------------------------------


class DecisionSerializer(StrictInput, serializers.Serializer):
    report = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("Id laporan."))
    action = serializers.ChoiceField(choices=[("verify", "verify"), ("return", "return")])
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=_("Wajib untuk return.")
    )


class DecisionsSerializer(StrictInput, serializers.Serializer):
    decisions = DecisionSerializer(many=True, allow_empty=False, max_length=BULK_MAX_ROWS)


class DecisionsResultSerializer(serializers.Serializer):
    verified = serializers.IntegerField()
    returned = serializers.IntegerField()


class ReportsDecideView(BulkView):
    @extend_schema(
        operation_id="risk_reports_bulk_decide",
        summary="Verifikasi/kembalikan banyak laporan (Kabag Ops), semua atau tidak sama sekali",
        description=_(
            "Satu permintaan, satu transaksi. Aturan sama dengan verify/ dan return/ per laporan; laporan "
            "yang statusnya tidak mengizinkan keputusan, alasan kosong, atau id yang tidak ada: tidak ada "
            "yang ditulis, kesalahan per indeks baris: errors.rows.{indeks}.{field}."
        ),
        request=DecisionsSerializer,
        responses={200: DecisionsResultSerializer},
        examples=[
            OpenApiExample(
                "Verifikasi satu, kembalikan satu",
                request_only=True,
                value={
                    "decisions": [
                        {"report": 1, "action": "verify"},
                        {"report": 2, "action": "return", "reason": "Lampirkan foto baliho."},
                    ]
                },
            )
        ],
    )
    def post(self, request) -> Response:
        decisions = _envelope(DecisionsSerializer, request.data, "decisions")
        reports = reports_in_jurisdiction(visible_kecamatan_ids=None)
        found = reports.in_bulk({d["report"] for d in decisions})

        def decide(decision: Mapping) -> str:
            report: RiskReport | None = found.get(decision["report"])
            if report is None:
                raise _RowRefused({"report": [_("Laporan tidak ditemukan.")]})
            if decision["action"] == "verify":
                report_services.report_verify(report=report, by=request.user)
                return "verified"
            report_services.report_return(report=report, by=request.user, reason=decision.get("reason", ""))
            return "returned"

        outcomes = each_or_none(decisions, decide)
        return Response({"verified": outcomes.count("verified"), "returned": outcomes.count("returned")})


# --- assignments ---------------------------------------------------------------------------------


class AssignmentsBulkSerializer(StrictInput, serializers.Serializer):
    assignments = AssignmentInputSerializer(many=True, allow_empty=False, max_length=BULK_MAX_ROWS)


class AssignmentsCreatedSerializer(serializers.Serializer):
    assignments = AssignmentSerializer(many=True)


class AssignmentsBulkView(BulkView):
    @extend_schema(
        operation_id="assignments_bulk_create",
        summary="Tugaskan banyak personel (Kabag Ops), semua atau tidak sama sekali",
        description=_(
            "Satu permintaan, satu transaksi, aturan sama dengan POST /assignments/ (aktif, BKO sudah "
            "tiba, wilayah, netralitas, tanpa tugas ganda, juga terhadap baris sebelumnya dalam "
            "permintaan yang sama). Kesalahan per indeks baris: errors.rows.{indeks}.{field}."
        ),
        request=AssignmentsBulkSerializer,
        responses={201: AssignmentsCreatedSerializer},
        examples=[
            OpenApiExample(
                "Dua penjaga desa",
                request_only=True,
                value={
                    "assignments": [
                        {"operation": 1, "officer": 1, "duty": "village_guard", "village_election": 1},
                        {"operation": 1, "officer": 2, "duty": "village_guard", "village_election": 2},
                    ]
                },
            )
        ],
    )
    def post(self, request) -> Response:
        postings = _envelope(AssignmentsBulkSerializer, request.data, "assignments")
        created = each_or_none(
            postings, lambda posting: assignment_services.assignment_create(**posting, by=request.user)
        )
        return Response(
            {
                "assignments": AssignmentSerializer(
                    created, many=True, context={"team_leaders": team_leader_ids(created)}
                ).data
            },
            status=status.HTTP_201_CREATED,
        )


# --- village elections and candidates ------------------------------------------------------------


class _Upsert(BulkView):
    """Rows matched to stored ones by their natural key, then written through the row serializer
    (strict input, natural keys) and the setup service, as a single POST or PATCH would be."""

    envelope: type[serializers.Serializer]
    key: str
    row_serializer: type[serializers.ModelSerializer]
    service: staticmethod

    def stored(self, row: Mapping):  # pragma: no cover - each subclass says how
        raise NotImplementedError

    def post(self, request) -> Response:
        rows = _envelope(self.envelope, request.data, self.key)
        counts = {"created": 0, "updated": 0, "unchanged": 0}

        def write(row: Mapping):
            instance = self.stored(row)
            serializer = self.row_serializer(
                instance, data=row, partial=instance is not None, context={"request": request}
            )
            if not serializer.is_valid():
                raise _RowRefused(serializer.errors)
            if instance is None:
                counts["created"] += 1
                return self.service(self.row_serializer.Meta.model(**serializer.validated_data))
            changed = {
                name: value
                for name, value in serializer.validated_data.items()
                if getattr(instance, name) != value
            }
            if not changed:
                counts["unchanged"] += 1
                return instance
            for name, value in changed.items():
                setattr(instance, name, value)
            counts["updated"] += 1
            return self.service(instance)

        each_or_none(rows, write)
        return Response(counts)


def _rows_envelope(key: str, documented: type[serializers.Serializer]):
    """The body {key: [row, ...]}: each row an object, checked field by field by the row's
    serializer when it is written; documented with that serializer's fields."""

    class Envelope(StrictInput, serializers.Serializer):
        pass

    Envelope._declared_fields = {
        key: serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=BULK_MAX_ROWS)
    }

    class Documented(serializers.Serializer):
        pass

    Documented._declared_fields = {key: documented(many=True)}
    Documented.__name__ = f"{documented.__name__.removesuffix('Serializer')}BulkSerializer"
    return Envelope, Documented


def _int(value) -> int | None:
    # A key that is not a plain id matches no stored row; the serializer then names the field.
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


VillageElectionsEnvelope, VillageElectionsDocumented = _rows_envelope(
    "village_elections", VillageElectionSerializer
)
CandidatesEnvelope, CandidatesDocumented = _rows_envelope("candidates", CandidateSerializer)


class VillageElectionsBulkView(_Upsert):
    envelope = VillageElectionsEnvelope
    key = "village_elections"
    row_serializer = VillageElectionSerializer
    service = staticmethod(lambda row: setup.village_election_save(village_election=row))

    def stored(self, row: Mapping) -> VillageElection | None:
        election = _int(row.get("election"))
        if election is None:
            return None
        found = VillageElection.objects.filter(election_id=election)
        if _int(row.get("desa")) is not None:
            return found.filter(desa_id=row["desa"]).first()
        if isinstance(row.get("desa_code"), str) and "\x00" not in row["desa_code"]:
            return found.filter(desa__code=row["desa_code"]).first()
        return None

    @extend_schema(
        operation_id="village_elections_bulk_upsert",
        summary="Upsert banyak Pilkades desa menurut (election, kode desa), semua atau tidak sama sekali",
        description=_(
            "Baris dengan pemilihan dan desa (desa atau desa_code) yang sudah ada diubah (hanya field yang "
            "dikirim), yang belum ada dibuat. Aturan dan field sama dengan POST/PATCH /village-elections/. "
            "Kesalahan per indeks baris: errors.rows.{indeks}.{field}."
        ),
        request=VillageElectionsDocumented,
        responses={200: BulkResultSerializer},
        examples=[
            OpenApiExample(
                "Dua desa",
                request_only=True,
                value={
                    "village_elections": [
                        {
                            "election": 1,
                            "desa_code": "36.04.01.2001",
                            "tps_count": 4,
                            "registered_voters": 3120,
                        },
                        {"election": 1, "desa_code": "36.04.01.2002", "tps_count": 3},
                    ]
                },
            )
        ],
    )
    def post(self, request) -> Response:
        return super().post(request)


class CandidatesBulkView(_Upsert):
    envelope = CandidatesEnvelope
    key = "candidates"
    row_serializer = CandidateSerializer
    service = staticmethod(lambda row: setup.candidate_save(candidate=row))

    def stored(self, row: Mapping) -> Candidate | None:
        village, number = _int(row.get("village_election")), _int(row.get("ballot_number"))
        if village is None or number is None:
            return None
        return Candidate.objects.filter(village_election_id=village, ballot_number=number).first()

    @extend_schema(
        operation_id="candidates_bulk_upsert",
        summary="Upsert banyak calon menurut (village_election, nomor urut), semua atau tidak sama sekali",
        description=_(
            "Calon dengan Pilkades desa dan nomor urut yang sudah ada diubah (hanya field yang dikirim), "
            "yang belum ada dibuat. Aturan dan field sama dengan POST/PATCH /candidates/. Kesalahan per "
            "indeks baris: errors.rows.{indeks}.{field}."
        ),
        request=CandidatesDocumented,
        responses={200: BulkResultSerializer},
        examples=[
            OpenApiExample(
                "Dua calon",
                request_only=True,
                value={
                    "candidates": [
                        {
                            "village_election": 1,
                            "ballot_number": 1,
                            "full_name": "H. Ahmad",
                            "head_status": "incumbent",
                        },
                        {
                            "village_election": 1,
                            "ballot_number": 2,
                            "full_name": "Siti",
                            "needs_close_escort": True,
                        },
                    ]
                },
            )
        ],
    )
    def post(self, request) -> Response:
        return super().post(request)
