"""Webhook endpoints and their delivery log, for the Kabag Ops (GET/POST/PUT/PATCH/DELETE
/api/v1/webhooks/, GET /api/v1/webhook-deliveries/, POST .../{id}/redeliver/).

What a receiver gets and how it checks it: webhooks/signing.py (documented in the schema too)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from operations.api.bulk import IsKabagOps
from pilkades.filters import FilterSet
from pilkades.serializers import StrictInput
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import delivery_redeliver, endpoint_delete, endpoint_save
from webhooks.signing import REPLAY_WINDOW

SIGNING_NOTE = _(
    "Setiap pengiriman: POST JSON {id, type, created_at, data} dengan header X-Pilkades-Event, "
    "X-Pilkades-Delivery (sama pada setiap percobaan ulang), X-Pilkades-Timestamp (detik Unix) dan "
    "X-Pilkades-Signature: sha256=<hex HMAC-SHA256 dengan rahasia endpoint atas "
    '"<timestamp>.<body mentah>">. Penerima menolak timestamp yang berselisih lebih dari %(window)d '
    "detik dari jamnya (replay). Jawaban 2xx: terkirim; selain itu dicoba lagi dengan jeda berlipat "
    "(30 detik, 1 menit, 2 menit, ... paling lama 1 jam) selama 24 jam."
) % {"window": REPLAY_WINDOW}


class WebhookEndpointSerializer(StrictInput, serializers.ModelSerializer):
    secret = serializers.CharField(
        write_only=True,
        required=False,
        min_length=16,
        max_length=128,
        help_text=_("Kosongkan agar dibuatkan; hanya dijawab sekali, saat endpoint dibuat."),
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        help_text=_("Jenis peristiwa yang dikirim; kosong berarti semua."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "secret", "event_types", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text=_("Simpan sekarang: tidak ditampilkan lagi."))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.type", read_only=True)
    event_created_at = serializers.DateTimeField(source="event.created_at", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_type",
            "event_created_at",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
        ]
        read_only_fields = fields


class WebhookDeliveryFilter(FilterSet):
    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status"]


@extend_schema_view(
    list=extend_schema(summary="Endpoint webhook (Kabag Ops)", description=SIGNING_NOTE),
    create=extend_schema(
        summary="Daftarkan endpoint webhook",
        description=SIGNING_NOTE,
        responses={201: WebhookEndpointCreatedSerializer},
        examples=[
            OpenApiExample(
                "Laporan dan kerawanan",
                request_only=True,
                value={
                    "url": "https://gis.polda.example/pilkades/hook",
                    "description": "GIS Polda",
                    "event_types": ["report.verified", "level.changed"],
                },
            )
        ],
    ),
)
class WebhookEndpointViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, IsKabagOps]
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.order_by("pk")
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = endpoint_save(
            endpoint=WebhookEndpoint(**serializer.validated_data, created_by=request.user)
        )
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer) -> None:
        endpoint = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(endpoint, name, value)
        serializer.instance = endpoint_save(endpoint=endpoint)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        endpoint_delete(endpoint=instance)


@extend_schema_view(
    list=extend_schema(summary="Log pengiriman webhook (status, percobaan, kesalahan terakhir)"),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, IsKabagOps]
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    queryset = WebhookDelivery.objects.select_related("event").order_by("-pk")

    @extend_schema(
        summary="Kirim ulang satu pengiriman",
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None, **kwargs) -> Response:
        delivery = delivery_redeliver(delivery=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
