"""API for master data: regions, the Pilkades, candidates, units, personnel, operations.

Everyone with the model's view permission reads (rows limited by jurisdiction where they belong to
a kecamatan); the Kabag Ops (a person or a service account in his role) writes. A write builds the
row in memory from the input serializer and hands it to the service the admin's rules live in
(operations/services/setup.py, officers.py): the model's full_clean, the postings an officer
holds, the ranking rows that copy the row. The audit history names the caller (the request's user,
set by DRF's authentication, token or session).
"""

from django.core.validators import RegexValidator
from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from operations.models import (
    BkoContingent,
    Capability,
    Jurisdiction,
    Officer,
    Operation,
    PatternSet,
    Unit,
)
from operations.permissions import is_kabag_ops, jurisdiction_kecamatan_ids
from operations.ranks import Pangkat
from operations.services import setup
from operations.services.officers import RowErrors, officer_save, officers_upsert
from pilkades.filters import FilterSet
from pilkades.serializers import NaturalKeys, StrictInput
from villages.api.serializers import (
    CandidateSerializer,
    DesaSerializer,
    ElectionSerializer,
    KecamatanSerializer,
    VillageElectionSerializer,
)
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection


class ModelViewPermission(permissions.DjangoModelPermissions):
    """Reading needs the model's view permission, which the role groups grant (operations/roles.py)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class SetupPermission(ModelViewPermission):
    """Reads as before (the view permission); a write needs the Kabag Ops role and the model's
    add/change/delete permission (his group holds them, operations/roles.py)."""

    def has_permission(self, request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS and not is_kabag_ops(request.user):
            return False
        return super().has_permission(request, view)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, SetupPermission]


class ServiceWriteMixin:
    """Create and update through a service: the validated fields are set on the row (new or
    current) and ``save_service(row, **many)`` checks and writes it; the answer re-reads the row
    through the list's queryset, so it has the same fields (and annotations) as a read."""

    save_service: staticmethod
    many_fields: tuple[str, ...] = ()

    def perform_create(self, serializer) -> None:
        serializer.instance = self._write(self.get_queryset().model(), serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = self._write(serializer.instance, serializer.validated_data)

    def _write(self, instance: Model, validated: dict) -> Model:
        data = dict(validated)
        many = {name: data.pop(name) for name in self.many_fields if name in data}
        for name, value in data.items():
            setattr(instance, name, value)
        saved = self.save_service(instance, **many)
        return self.get_queryset().get(pk=saved.pk)


class SetupViewSet(ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyViewSet):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class JurisdictionScopedViewSet(SetupViewSet):
    """Rows limited to the kecamatan the user may see: all for HQ, his Polsek's for a Polsek user."""

    kecamatan_lookup: str

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        ids = jurisdiction_kecamatan_ids(self.request.user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.kecamatan_lookup}__in": ids})


def _search(fields: list[str]):
    def apply(queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return apply


KABUPATEN_CODE = RegexValidator(
    r"^\d{2}\.\d{2}$", _("Kode kabupaten/kota berbentuk 2 angka, titik, 2 angka (mis. 36.04).")
)


def _in_kabupaten(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset.filter(code__startswith=f"{value}.")


class KecamatanFilter(FilterSet):
    search = filters.CharFilter(method=_search(["name", "code"]), label=_("nama atau kode"))
    # The ranking's identifier of a kabupaten (its Kemendagri code), not its name.
    kabupaten = filters.CharFilter(
        method=_in_kabupaten, validators=[KABUPATEN_CODE], label=_("kode kabupaten/kota, mis. 36.04")
    )

    class Meta:
        model = Kecamatan
        fields = ["code", "kabupaten_name"]


class DesaFilter(FilterSet):
    kecamatan_code = filters.CharFilter(field_name="kecamatan__code")
    search = filters.CharFilter(method=_search(["name", "code"]), label=_("nama atau kode"))

    class Meta:
        model = Desa
        fields = ["kecamatan", "kecamatan_code", "sea_access_only"]


class ElectionFilter(FilterSet):
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Election
        fields = ["status"]


class VillageElectionFilter(FilterSet):
    # A choice filter, like the generated ones: an unknown id is a 400, never a query with it.
    kecamatan = filters.ModelChoiceFilter(field_name="desa__kecamatan", queryset=Kecamatan.objects.all())
    search = filters.CharFilter(method=_search(["desa__name", "desa__code"]), label=_("nama atau kode desa"))

    class Meta:
        model = VillageElection
        fields = ["election", "kecamatan", "desa", "status"]


class CandidateFilter(FilterSet):
    search = filters.CharFilter(field_name="full_name", lookup_expr="icontains")

    class Meta:
        model = Candidate
        fields = ["village_election", "head_status", "status", "needs_close_escort"]


class UnitFilter(FilterSet):
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Unit
        fields = ["kind", "supplies_bko", "parent"]


class OfficerFilter(FilterSet):
    rank = filters.ChoiceFilter(choices=Pangkat.choices)
    rank_min = filters.ChoiceFilter(field_name="rank", lookup_expr="gte", choices=Pangkat.choices)
    search = filters.CharFilter(method=_search(["name", "nrp"]), label=_("nama atau NRP"))

    class Meta:
        model = Officer
        fields = ["unit", "rank", "rank_min", "is_active", "home_desa"]


class OperationFilter(FilterSet):
    search = filters.CharFilter(method=_search(["name", "sprin_number"]), label=_("nama atau nomor Sprin"))

    class Meta:
        model = Operation
        fields = ["election", "status"]


class UnitSerializer(StrictInput, NaturalKeys, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent_name = serializers.SlugRelatedField(
        source="parent",
        slug_field="name",
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Nama satuan induk; saat menulis boleh menggantikan id induk."),
    )
    kecamatan = serializers.SerializerMethodField(
        help_text=_("Id kecamatan wilayah hukumnya; diubah lewat /jurisdictions/.")
    )
    officer_count = serializers.IntegerField(read_only=True)

    natural_keys = {"parent_name": "parent"}

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent",
            "parent_name",
            "hq_address",
            "hq_latitude",
            "hq_longitude",
            "supplies_bko",
            "kecamatan",
            "officer_count",
        ]
        validators: list = []
        extra_kwargs = {"name": {"validators": []}}

    def get_kecamatan(self, unit: Unit) -> list[int]:
        # From the prefetched jurisdictions: no query per unit.
        return [jurisdiction.kecamatan_id for jurisdiction in unit.jurisdictions.all()]


def _desa_by_code(source: str, help_text) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        source=source,
        slug_field="code",
        queryset=Desa.objects.all(),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class OfficerSerializer(StrictInput, NaturalKeys, serializers.ModelSerializer):
    rank_display = serializers.CharField(source="get_rank_display", read_only=True)
    unit_name = serializers.SlugRelatedField(
        source="unit",
        slug_field="name",
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Nama satuan; saat menulis boleh menggantikan id satuan."),
    )
    jabatan_name = serializers.CharField(source="jabatan.name", read_only=True, allow_null=True)
    jabatan_category = serializers.CharField(source="jabatan.category", read_only=True, allow_null=True)
    capabilities = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Capability.objects.all(),
        many=True,
        required=False,
        help_text=_("Kode kemampuan khusus (mis. boat_crew)."),
    )
    home_desa_code = _desa_by_code("home_desa", _("Kode Kemendagri desa tempat tinggal (netralitas)."))
    desa_binaan_code = _desa_by_code("desa_binaan", _("Kode Kemendagri desa binaan (Bhabinkamtibmas)."))

    natural_keys = {"unit_name": "unit", "home_desa_code": "home_desa", "desa_binaan_code": "desa_binaan"}
    natural_keys_required = ("unit",)

    class Meta:
        model = Officer
        fields = [
            "id",
            "nrp",
            "name",
            "rank",
            "rank_display",
            "position",
            "jabatan",
            "jabatan_name",
            "jabatan_category",
            "desa_binaan",
            "desa_binaan_code",
            "capabilities",
            "unit",
            "unit_name",
            "home_desa",
            "home_desa_code",
            "is_active",
        ]
        validators: list = []
        extra_kwargs = {"nrp": {"validators": []}, "unit": {"required": False}}


class OfficerContactSerializer(OfficerSerializer):
    """Phone and login account: only the Kabag Ops, who places personnel, needs to reach them."""

    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta(OfficerSerializer.Meta):
        fields = [*OfficerSerializer.Meta.fields, "phone", "user", "username"]
        validators: list = []
        extra_kwargs = {**OfficerSerializer.Meta.extra_kwargs, "phone": {"validators": []}}


@extend_schema_serializer(component_name="Officer")
class OfficerDocumentedSerializer(OfficerSerializer):
    """The schema of both answers, whoever asks: the contact fields come only to the Kabag Ops."""

    phone = serializers.CharField(required=False, help_text=_("Hanya untuk Kabag Ops."))
    user = serializers.IntegerField(required=False, allow_null=True, help_text=_("Hanya untuk Kabag Ops."))
    username = serializers.CharField(required=False, allow_null=True, help_text=_("Hanya untuk Kabag Ops."))

    class Meta(OfficerSerializer.Meta):
        fields = [*OfficerSerializer.Meta.fields, "phone", "user", "username"]


class BkoContingentSerializer(StrictInput, NaturalKeys, serializers.ModelSerializer):
    unit_name = serializers.SlugRelatedField(
        source="unit",
        slug_field="name",
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Nama satuan pemasok; saat menulis boleh menggantikan id satuan."),
    )

    natural_keys = {"unit_name": "unit"}
    natural_keys_required = ("unit",)

    class Meta:
        model = BkoContingent
        fields = [
            "id",
            "operation",
            "unit",
            "unit_name",
            "status",
            "expected_strength",
            "arrived_on",
            "released_on",
        ]
        validators: list = []
        extra_kwargs = {"unit": {"required": False}}


class JurisdictionSerializer(StrictInput, NaturalKeys, serializers.ModelSerializer):
    unit_name = serializers.SlugRelatedField(
        source="unit",
        slug_field="name",
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Nama Polsek; saat menulis boleh menggantikan id satuan."),
    )
    kecamatan_code = serializers.SlugRelatedField(
        source="kecamatan",
        slug_field="code",
        queryset=Kecamatan.objects.all(),
        required=False,
        help_text=_("Kode Kemendagri kecamatan; saat menulis boleh menggantikan id kecamatan."),
    )

    natural_keys = {"unit_name": "unit", "kecamatan_code": "kecamatan"}
    natural_keys_required = ("unit", "kecamatan")

    class Meta:
        model = Jurisdiction
        fields = ["id", "unit", "unit_name", "kecamatan", "kecamatan_code"]
        validators: list = []
        extra_kwargs = {"unit": {"required": False}, "kecamatan": {"required": False, "validators": []}}


class OperationSerializer(StrictInput, NaturalKeys, serializers.ModelSerializer):
    bko_contingents = BkoContingentSerializer(
        many=True, read_only=True, help_text=_("Diubah lewat /bko-contingents/.")
    )
    pattern_set_name = serializers.SlugRelatedField(
        source="pattern_set",
        slug_field="name",
        queryset=PatternSet.objects.all(),
        required=False,
        help_text=_("Nama set pola pengamanan; saat menulis boleh menggantikan id."),
    )

    natural_keys = {"pattern_set_name": "pattern_set"}
    natural_keys_required = ("pattern_set",)

    class Meta:
        model = Operation
        fields = [
            "id",
            "name",
            "election",
            "sprin_number",
            "starts_on",
            "ends_on",
            "status",
            "pattern_set",
            "pattern_set_name",
            "unassessed_level",
            "escorts_per_candidate",
            "boat_team_size",
            "reaction_reserve",
            "order_date",
            "order_basis",
            "order_purpose",
            "signatory_name",
            "signatory_rank",
            "signatory_nrp",
            "sea_port_name",
            "sea_port_latitude",
            "sea_port_longitude",
            "assignment_version",
            "bko_contingents",
        ]
        validators: list = []
        extra_kwargs = {"name": {"validators": []}, "pattern_set": {"required": False}}


def _service(function, keyword: str):
    """A service taking its row as a keyword (``unit_save(unit=...)``) as ``save_service(row)``."""

    def save(instance, **many):
        return function(**{keyword: instance}, **many)

    return staticmethod(save)


class KecamatanViewSet(ReadOnlyViewSet):
    queryset = Kecamatan.objects.all()
    serializer_class = KecamatanSerializer
    filterset_class = KecamatanFilter
    ordering_fields = ["code", "name"]


class DesaViewSet(JurisdictionScopedViewSet):
    """Desa come from the Kemendagri region import; the API changes coordinates and access only."""

    queryset = Desa.objects.select_related("kecamatan")
    serializer_class = DesaSerializer
    filterset_class = DesaFilter
    ordering_fields = ["code", "name"]
    kecamatan_lookup = "kecamatan"
    http_method_names = ["get", "put", "patch", "head", "options"]
    save_service = _service(setup.desa_save, "desa")


class ElectionViewSet(SetupViewSet):
    queryset = Election.objects.all()
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    ordering_fields = ["voting_day", "name"]
    save_service = _service(setup.election_save, "election")


class VillageElectionViewSet(JurisdictionScopedViewSet):
    queryset = VillageElection.objects.select_related("desa__kecamatan")
    serializer_class = VillageElectionSerializer
    filterset_class = VillageElectionFilter
    ordering_fields = ["desa__code", "desa__name", "registered_voters", "tps_count"]
    kecamatan_lookup = "desa__kecamatan"
    save_service = _service(setup.village_election_save, "village_election")


class CandidateViewSet(JurisdictionScopedViewSet):
    queryset = Candidate.objects.select_related("village_election__desa")
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    ordering_fields = ["ballot_number", "full_name", "estimated_supporters"]
    kecamatan_lookup = "village_election__desa__kecamatan"
    save_service = _service(setup.candidate_save, "candidate")


class UnitViewSet(SetupViewSet):
    # An aggregate drops Meta.ordering, so pagination needs it spelled out.
    queryset = (
        Unit.objects.annotate(officer_count=Count("officers"))
        .select_related("parent")
        .prefetch_related("jurisdictions")
        .order_by("kind", "name")
    )
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["name", "kind", "officer_count"]
    save_service = _service(setup.unit_save, "unit")


class JurisdictionFilter(FilterSet):
    kecamatan_code = filters.CharFilter(field_name="kecamatan__code")

    class Meta:
        model = Jurisdiction
        fields = ["unit", "kecamatan", "kecamatan_code"]


class JurisdictionViewSet(mixins.DestroyModelMixin, SetupViewSet):
    """Which Polsek holds which kecamatan: one Polsek per kecamatan (the database refuses a second)."""

    queryset = Jurisdiction.objects.select_related("unit", "kecamatan").order_by("kecamatan__code")
    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilter
    ordering_fields = ["kecamatan__code"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    save_service = _service(setup.jurisdiction_save, "jurisdiction")

    def perform_destroy(self, instance: Jurisdiction) -> None:
        setup.jurisdiction_delete(jurisdiction=instance)


class BkoContingentFilter(FilterSet):
    class Meta:
        model = BkoContingent
        fields = ["operation", "unit", "status"]


class BkoContingentViewSet(SetupViewSet):
    """Reinforcements per operation; the status moves expected → arrived → released."""

    queryset = BkoContingent.objects.select_related("unit").order_by("operation", "unit__name")
    serializer_class = BkoContingentSerializer
    filterset_class = BkoContingentFilter
    ordering_fields = ["unit__name", "status"]
    save_service = _service(setup.bko_contingent_save, "contingent")


CONTACT_NOTE = _("Telepon dan akun login hanya tampil untuk Kabag Ops.")
BULK_MAX_ROWS = 20_000


class OfficerRowSerializer(StrictInput, serializers.Serializer):
    """One officer of a bulk upsert: named by NRP; a key left out keeps the stored value."""

    nrp = serializers.RegexField(
        r"^\d{8}$", help_text=_("NRP, 8 angka."), error_messages={"invalid": _("NRP harus tepat 8 angka.")}
    )
    name = serializers.CharField(max_length=150, required=False)
    rank = serializers.ChoiceField(choices=Pangkat.choices, required=False)
    position = serializers.CharField(max_length=150, required=False, allow_blank=True)
    unit_name = serializers.CharField(max_length=120, required=False)
    home_desa_code = serializers.CharField(max_length=13, required=False, allow_null=True, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class OfficerBulkSerializer(StrictInput, serializers.Serializer):
    officers = OfficerRowSerializer(many=True, allow_empty=False, max_length=BULK_MAX_ROWS)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


def row_errors(exc: RowErrors | dict | list) -> serializers.ValidationError:
    """Errors of a bulk body by row index (from 0): {"rows": {"3": {"nrp": [...]}}}."""
    if isinstance(exc, RowErrors):
        rows = {str(index): fields for index, fields in exc.rows.items()}
    elif isinstance(exc, dict):
        rows = {str(index): fields for index, fields in exc.items()}
    else:
        rows = {str(index): fields for index, fields in enumerate(exc) if fields}
    return serializers.ValidationError({"rows": rows})


def _officer_save(officer: Officer, capabilities=None) -> Officer:
    officer = officer_save(officer=officer)
    if capabilities is not None:
        officer.capabilities.set(capabilities)
    return officer


@extend_schema_view(
    list=extend_schema(description=CONTACT_NOTE, responses=OfficerDocumentedSerializer),
    retrieve=extend_schema(description=CONTACT_NOTE, responses=OfficerDocumentedSerializer),
    create=extend_schema(request=OfficerContactSerializer, responses=OfficerDocumentedSerializer),
    update=extend_schema(request=OfficerContactSerializer, responses=OfficerDocumentedSerializer),
    partial_update=extend_schema(request=OfficerContactSerializer, responses=OfficerDocumentedSerializer),
)
class OfficerViewSet(SetupViewSet):
    queryset = Officer.objects.select_related(
        "unit", "user", "home_desa", "desa_binaan", "jabatan"
    ).prefetch_related("capabilities")
    filterset_class = OfficerFilter
    ordering_fields = ["rank", "name", "nrp"]
    save_service = staticmethod(_officer_save)
    many_fields = ("capabilities",)

    @extend_schema(
        summary="Upsert banyak personel menurut NRP (semua atau tidak sama sekali)",
        description=_(
            "Satu permintaan, satu transaksi: personel dengan NRP yang sudah ada diubah, yang belum "
            "ada dibuat; kunci yang tidak dikirim tidak mengubah nilai tersimpan. Aturan sama dengan "
            "impor daftar personel (satuan menurut nama, desa tempat tinggal menurut kode Kemendagri, "
            "jabatan dicocokkan ke katalog, penugasan yang dilanggar ditolak). Satu baris salah: tidak "
            "ada yang ditulis, dan kesalahan disebut per indeks baris: errors.rows.{indeks}.{field}."
        ),
        request=OfficerBulkSerializer,
        responses={200: BulkResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs) -> Response:
        serializer = OfficerBulkSerializer(data=request.data)
        if not serializer.is_valid():
            rows = serializer.errors.get("officers")
            by_index = isinstance(rows, dict) and all(str(key).isdigit() for key in rows)
            if by_index or (isinstance(rows, list) and any(isinstance(r, dict) for r in rows)):
                raise row_errors(rows)
            raise serializers.ValidationError(serializer.errors)
        try:
            result = officers_upsert(rows=serializer.validated_data["officers"], by=request.user)
        except RowErrors as exc:
            raise row_errors(exc) from exc
        return Response(result, status=status.HTTP_200_OK)

    def get_serializer_class(self) -> type[OfficerSerializer]:
        if is_kabag_ops(self.request.user):
            return OfficerContactSerializer
        return OfficerSerializer


class OperationViewSet(SetupViewSet):
    queryset = Operation.objects.select_related("election", "pattern_set").prefetch_related(
        "bko_contingents__unit"
    )
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    ordering_fields = ["starts_on", "name"]
    save_service = _service(setup.operation_save, "operation")
