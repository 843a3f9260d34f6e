"""Read serializers for the civil side. Related names come from select_related rows, never per row."""

from rest_framework import serializers

from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection


class KecamatanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kecamatan
        fields = ["id", "code", "name", "kabupaten_name"]


class DesaSerializer(serializers.ModelSerializer):
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


class ElectionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Election
        fields = ["id", "name", "voting_day", "status", "status_display"]


class VillageElectionSerializer(serializers.ModelSerializer):
    desa_code = serializers.CharField(source="desa.code", read_only=True)
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


class CandidateSerializer(serializers.ModelSerializer):
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
