"""The settings a level and a required personnel count come from, readable by every API caller:
level thresholds (the score at which a level starts) and pattern sets (police and linmas per
level, per TPS group or per desa), so a client can explain a ranking row."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from operations.models import LevelThreshold, PatternSet, SecurityPattern


class LevelThresholdSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = LevelThreshold
        fields = ["level", "level_label", "min_score"]
        read_only_fields = fields


class SecurityPatternSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = SecurityPattern
        fields = ["level", "level_label", "form", "police", "tps_per_group", "linmas"]
        read_only_fields = fields


class PatternSetSerializer(serializers.ModelSerializer):
    patterns = SecurityPatternSerializer(many=True, read_only=True)

    class Meta:
        model = PatternSet
        fields = ["id", "name", "source", "patrol_per_kecamatan", "patterns"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Ambang skor tiap tingkat kerawanan (Aman mulai dari 0)"),
)
class LevelThresholdViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = LevelThresholdSerializer
    queryset = LevelThreshold.objects.order_by("level")


@extend_schema_view(
    list=extend_schema(summary="Set pola pengamanan: personel per tingkat (dasar required_personnel)"),
)
class PatternSetViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PatternSetSerializer
    queryset = PatternSet.objects.prefetch_related("patterns").order_by("name")
