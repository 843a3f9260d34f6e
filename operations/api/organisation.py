"""Read API for master data: regions, the Pilkades, candidates, units, personnel, operations."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from operations.models import BkoContingent, Officer, Operation, Unit
from operations.permissions import is_kabag_ops, jurisdiction_kecamatan_ids
from operations.ranks import Pangkat
from pilkades.filters import FilterSet
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


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, ModelViewPermission]


class JurisdictionScopedViewSet(ReadOnlyViewSet):
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


class KecamatanFilter(FilterSet):
    search = filters.CharFilter(method=_search(["name", "code"]), label=_("nama atau kode"))

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


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    kecamatan = serializers.SerializerMethodField()
    officer_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent",
            "hq_address",
            "hq_latitude",
            "hq_longitude",
            "supplies_bko",
            "kecamatan",
            "officer_count",
        ]

    def get_kecamatan(self, unit: Unit) -> list[int]:
        # From the prefetched jurisdictions: no query per unit.
        return [jurisdiction.kecamatan_id for jurisdiction in unit.jurisdictions.all()]


class OfficerSerializer(serializers.ModelSerializer):
    rank_display = serializers.CharField(source="get_rank_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id",
            "nrp",
            "name",
            "rank",
            "rank_display",
            "position",
            "unit",
            "unit_name",
            "home_desa",
            "is_active",
        ]


class OfficerContactSerializer(OfficerSerializer):
    """Phone and login account: only the Kabag Ops, who places personnel, needs to reach them."""

    username = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta(OfficerSerializer.Meta):
        fields = [*OfficerSerializer.Meta.fields, "phone", "user", "username"]


@extend_schema_serializer(component_name="Officer")
class OfficerDocumentedSerializer(OfficerSerializer):
    """The schema of both answers, whoever asks: the contact fields come only to the Kabag Ops."""

    phone = serializers.CharField(required=False, help_text=_("Hanya untuk Kabag Ops."))
    user = serializers.IntegerField(required=False, allow_null=True, help_text=_("Hanya untuk Kabag Ops."))
    username = serializers.CharField(required=False, allow_null=True, help_text=_("Hanya untuk Kabag Ops."))

    class Meta(OfficerSerializer.Meta):
        fields = [*OfficerSerializer.Meta.fields, "phone", "user", "username"]


class BkoContingentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = BkoContingent
        fields = ["id", "unit", "unit_name", "status", "expected_strength", "arrived_on", "released_on"]


class OperationSerializer(serializers.ModelSerializer):
    bko_contingents = BkoContingentSerializer(many=True, read_only=True)

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
            "unassessed_level",
            "escorts_per_candidate",
            "sea_port_name",
            "sea_port_latitude",
            "sea_port_longitude",
            "assignment_version",
            "bko_contingents",
        ]


class KecamatanViewSet(ReadOnlyViewSet):
    queryset = Kecamatan.objects.all()
    serializer_class = KecamatanSerializer
    filterset_class = KecamatanFilter
    ordering_fields = ["code", "name"]


class DesaViewSet(JurisdictionScopedViewSet):
    queryset = Desa.objects.select_related("kecamatan")
    serializer_class = DesaSerializer
    filterset_class = DesaFilter
    ordering_fields = ["code", "name"]
    kecamatan_lookup = "kecamatan"


class ElectionViewSet(ReadOnlyViewSet):
    queryset = Election.objects.all()
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    ordering_fields = ["voting_day", "name"]


class VillageElectionViewSet(JurisdictionScopedViewSet):
    queryset = VillageElection.objects.select_related("desa__kecamatan")
    serializer_class = VillageElectionSerializer
    filterset_class = VillageElectionFilter
    ordering_fields = ["desa__code", "desa__name", "registered_voters", "tps_count"]
    kecamatan_lookup = "desa__kecamatan"


class CandidateViewSet(JurisdictionScopedViewSet):
    queryset = Candidate.objects.select_related("village_election__desa")
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    ordering_fields = ["ballot_number", "full_name", "estimated_supporters"]
    kecamatan_lookup = "village_election__desa__kecamatan"


class UnitViewSet(ReadOnlyViewSet):
    # An aggregate drops Meta.ordering, so pagination needs it spelled out.
    queryset = (
        Unit.objects.annotate(officer_count=Count("officers"))
        .prefetch_related("jurisdictions")
        .order_by("kind", "name")
    )
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["name", "kind", "officer_count"]


CONTACT_NOTE = _("Telepon dan akun login hanya tampil untuk Kabag Ops.")


@extend_schema_view(
    list=extend_schema(description=CONTACT_NOTE, responses=OfficerDocumentedSerializer),
    retrieve=extend_schema(description=CONTACT_NOTE, responses=OfficerDocumentedSerializer),
)
class OfficerViewSet(ReadOnlyViewSet):
    queryset = Officer.objects.select_related("unit", "user")
    filterset_class = OfficerFilter
    ordering_fields = ["rank", "name", "nrp"]

    def get_serializer_class(self) -> type[OfficerSerializer]:
        if is_kabag_ops(self.request.user):
            return OfficerContactSerializer
        return OfficerSerializer


class OperationViewSet(ReadOnlyViewSet):
    queryset = Operation.objects.select_related("election").prefetch_related("bko_contingents__unit")
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    ordering_fields = ["starts_on", "name"]
