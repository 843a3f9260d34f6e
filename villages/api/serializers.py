"""Serializers of the civil side, for reading and writing. Related names come from select_related
rows, never per row. Writes are checked by the model (``full_clean`` in the services), so the
serializers keep no uniqueness validators of their own: one set of rules, one set of messages."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pilkades.serializers import NaturalKeys, StrictInput
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection


class KecamatanSerializer(serializers.ModelSerializer):
    kabupaten_code = serializers.SerializerMethodField(
        help_text=_(
            "Kode kabupaten/kota (mis. 36.04), sama dengan filter kabupaten dan kabupaten_code peringkat."
        )
    )

    class Meta:
        model = Kecamatan
        fields = ["id", "code", "name", "kabupaten_code", "kabupaten_name"]

    def get_kabupaten_code(self, kecamatan: Kecamatan) -> str:
        return kecamatan.code[:5]


class DesaSerializer(StrictInput, serializers.ModelSerializer):
    """A desa comes from the Kemendagri region import; the API changes its coordinates and access."""

    kecamatan_code = serializers.CharField(source="kecamatan.code", read_only=True)
    kecamatan_name = serializers.CharField(source="kecamatan.name", read_only=True)

    class Meta:
        model = Desa
        fields = [
            "id",
            "code",
            "name",
            "kecamatan",
            "kecamatan_code",
            "kecamatan_name",
            "latitude",
            "longitude",
            "access_notes",
            "sea_access_only",
        ]
        read_only_fields = ["code", "name", "kecamatan"]


class ElectionSerializer(StrictInput, serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Election
        fields = ["id", "name", "voting_day", "status", "status_display"]
        validators: list = []
        extra_kwargs = {"name": {"validators": []}}


class VillageElectionSerializer(StrictInput, NaturalKeys, serializers.ModelSerializer):
    desa_code = serializers.SlugRelatedField(
        source="desa",
        slug_field="code",
        queryset=Desa.objects.all(),
        required=False,
        help_text=_("Kode Kemendagri desa; saat menulis boleh menggantikan id desa."),
    )
    desa_name = serializers.CharField(source="desa.name", read_only=True)
    kecamatan = serializers.IntegerField(source="desa.kecamatan_id", read_only=True)
    kecamatan_name = serializers.CharField(source="desa.kecamatan.name", read_only=True)
    committee_formed = serializers.BooleanField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = VillageElection
        fields = [
            "id",
            "election",
            "desa",
            "desa_code",
            "desa_name",
            "kecamatan",
            "kecamatan_name",
            "tps_count",
            "registered_voters",
            "committee_formed_on",
            "committee_formed",
            "status",
            "status_display",
        ]
        validators: list = []
        extra_kwargs = {"desa": {"required": False}}

    natural_keys = {"desa_code": "desa"}
    natural_keys_required = ("desa",)


class CandidateSerializer(StrictInput, serializers.ModelSerializer):
    desa_name = serializers.CharField(source="village_election.desa.name", read_only=True)
    head_status_display = serializers.CharField(source="get_head_status_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "village_election",
            "desa_name",
            "ballot_number",
            "full_name",
            "head_status",
            "head_status_display",
            "lost_before",
            "status",
            "status_display",
            "estimated_supporters",
            "needs_close_escort",
            "notes",
        ]
        validators: list = []
