"""Hari-H API serializers: input ones parse, output ones read prefetched rows (no query per row)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from election_day.models import (
    CheckIn,
    Dispatch,
    Incident,
    IncidentCategory,
    ProgressStage,
    ProgressStep,
    StageWindow,
)
from election_day.photos import process_photo
from election_day.services.checkins import Position, is_far
from operations.models import Assignment, Duty, Operation
from pilkades.serializers import BuiltOnce, StrictInput
from villages.models import VillageElection


class CheckInInputSerializer(BuiltOnce, StrictInput, serializers.Serializer):
    # An id, not a looked-up row: the service reads the posting locked in the same statement, and
    # names an id that does not exist (one read less on the day's busiest write).
    assignment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    accuracy_m = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True)
    client_time = serializers.DateTimeField(required=False, allow_null=True)
    idempotency_key = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, attrs):
        lat, lng = attrs.get("latitude"), attrs.get("longitude")
        if (lat is None) != (lng is None):
            raise serializers.ValidationError({"latitude": [_("Isi lintang dan bujur bersama-sama.")]})
        if lat is not None:
            attrs["position"] = Position(lat, lng, attrs.get("accuracy_m"))
        return attrs


class CheckInSerializer(BuiltOnce, serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    is_far = serializers.SerializerMethodField(
        help_text="Lapor tiba lebih jauh dari titik desa daripada PILKADES_CHECKIN_FAR_METRES."
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "assignment",
            "operation",
            "officer",
            "officer_name",
            "stage",
            "village_election",
            "kind",
            "recorded_at",
            "client_time",
            "latitude",
            "longitude",
            "accuracy_m",
            "distance_m",
            "is_far",
            "idempotency_key",
        ]
        read_only_fields = fields

    def get_is_far(self, checkin: CheckIn) -> bool:
        return is_far(checkin)


class ProgressInputSerializer(BuiltOnce, StrictInput, serializers.Serializer):
    # Ids, not looked-up rows: the service reads both in one statement inside its transaction and
    # names an id that does not exist.
    operation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    village_election = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    stage = serializers.ChoiceField(choices=ProgressStage.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    client_time = serializers.DateTimeField(required=False, allow_null=True)
    idempotency_key = serializers.UUIDField(required=False, allow_null=True)


class ProgressStepSerializer(BuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = ProgressStep
        fields = [
            "id",
            "operation",
            "village_election",
            "stage",
            "previous_stage",
            "is_backward",
            "reason",
            "recorded_at",
            "client_time",
            "recorded_by",
        ]
        read_only_fields = fields
        # "" before the village's first step; DRF drops allow_blank from read-only fields, and the
        # schema would then forbid the answer's "".
        extra_kwargs = {"previous_stage": {"allow_blank": True}}


def _checked_photos(files) -> list:
    from django.core.exceptions import ValidationError

    try:
        return [
            process_photo(
                f, max_bytes=settings.INCIDENT_PHOTO_MAX_BYTES, max_side=settings.INCIDENT_PHOTO_MAX_SIDE
            )
            for f in files
        ]
    except ValidationError as exc:
        raise serializers.ValidationError(exc.message_dict.get("photos", exc.messages)) from exc


class PhotosField(serializers.ListField):
    """Files checked and re-encoded by election_day.photos (not by DRF's ImageField, which trusts more)."""

    child = serializers.FileField(allow_empty_file=False, use_url=False)

    def to_internal_value(self, data):
        return _checked_photos(super().to_internal_value(data))


class IncidentInputSerializer(StrictInput, serializers.Serializer):
    operation = serializers.PrimaryKeyRelatedField(queryset=Operation.objects.all())
    village_election = serializers.PrimaryKeyRelatedField(
        queryset=VillageElection.objects.select_related("desa")
    )
    category = serializers.SlugRelatedField(slug_field="code", queryset=IncidentCategory.objects.all())
    severity = serializers.IntegerField(min_value=1, max_value=3)
    description = serializers.CharField(max_length=5000)
    source = serializers.ChoiceField(choices=Incident.Source.choices, default=Incident.Source.FIELD)
    photos = PhotosField(required=False, max_length=5, default=list)
    client_time = serializers.DateTimeField(required=False, allow_null=True)
    idempotency_key = serializers.UUIDField(required=False, allow_null=True)


class PhotosInputSerializer(StrictInput, serializers.Serializer):
    photos = PhotosField(min_length=1, max_length=5)


class ResolveInputSerializer(StrictInput, serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class IncidentPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    gps_latitude = serializers.SerializerMethodField()
    gps_longitude = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return f"/api/v1/hari-h/incident-photos/{photo.pk}/image/"

    def get_gps_latitude(self, photo) -> str | None:
        # The EXIF position is for HQ only.
        return str(photo.gps_latitude) if self.context.get("hq") and photo.gps_latitude is not None else None

    def get_gps_longitude(self, photo) -> str | None:
        return (
            str(photo.gps_longitude) if self.context.get("hq") and photo.gps_longitude is not None else None
        )


class IncidentSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    desa = serializers.CharField(source="village_election.desa.name", read_only=True)
    photos = IncidentPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "operation",
            "village_election",
            "desa",
            "category",
            "category_name",
            "severity",
            "description",
            "source",
            "state",
            "reported_by",
            "reported_at",
            "client_time",
            "acknowledged_by",
            "acknowledged_at",
            "dispatched_by",
            "dispatched_at",
            "resolved_by",
            "resolved_at",
            "resolution_note",
            "level_raised_at",
            "photos",
        ]
        read_only_fields = fields


class StageWindowSerializer(StrictInput, serializers.ModelSerializer):
    """When a stage of an operation runs: check-ins are taken inside it, lateness counts from its start."""

    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = StageWindow
        fields = ["id", "operation", "stage", "stage_label", "starts_at", "ends_at"]
        # One window per stage: the model's constraint, checked by the service with the others.
        validators: list = []


class IncidentCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentCategory
        fields = ["code", "name", "after_vote"]
        read_only_fields = fields


class MyAssignmentSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    desa = serializers.SerializerMethodField()
    has_arrived = serializers.BooleanField(read_only=True)
    has_finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "operation",
            "stage",
            "duty",
            "officer",
            "officer_name",
            "village_election",
            "desa",
            "has_arrived",
            "has_finished",
        ]
        read_only_fields = fields

    def get_desa(self, assignment) -> str:
        return assignment.village_election.desa.name if assignment.village_election_id else ""


class BoardSerializer(serializers.Serializer):
    """The board's data (documented loosely: a dict of counters and lists)."""

    operation = serializers.DictField()
    generated_at = serializers.DateTimeField()
    stage = serializers.DictField()
    personnel = serializers.DictField(child=serializers.IntegerField())
    villages_total = serializers.IntegerField()
    villages_not_started = serializers.IntegerField()
    villages_per_stage = serializers.ListField(child=serializers.DictField())
    incidents_open = serializers.DictField(child=serializers.IntegerField())
    incidents_closed = serializers.IntegerField()
    incidents = serializers.ListField(child=serializers.DictField())
    late = serializers.DictField()
    villages = serializers.ListField(child=serializers.DictField())


class DispatchInputSerializer(StrictInput, serializers.Serializer):
    officers = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=2, max_length=50, allow_empty=False
    )


class DispatchOfficerSerializer(serializers.Serializer):
    officer = serializers.IntegerField(source="officer_id")
    name = serializers.CharField()
    duty = serializers.CharField()
    duty_label = serializers.SerializerMethodField()
    place = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    polairud = serializers.BooleanField()

    def get_duty_label(self, officer) -> str:
        return str(Duty(officer.duty).label)


class DispatchProposalSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    stage = serializers.CharField()
    needs_polairud = serializers.BooleanField()
    available = serializers.IntegerField(help_text="Personel yang dapat dikirim saat ini.")
    team = DispatchOfficerSerializer(many=True)
    problem = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)


class DispatchSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "incident",
            "officer",
            "officer_name",
            "from_duty",
            "from_place",
            "assignment",
            "distance_km",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields
