"""GET /api/v1/changes/?since=<cursor>: what changed since a client's last sync, from the audit history."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from operations.api.risk import IsHQ
from operations.permissions import is_kabag_ops
from operations.selectors.changes import MAX_LIMIT, RESOURCES, BadCursor, Change, Position, changes_since


class ChangesQuerySerializer(serializers.Serializer):
    since = serializers.CharField(required=False, allow_blank=True, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)

    def validate_since(self, value: str) -> Position | None:
        if not value:
            return None
        try:
            return Position.decode(value)
        except BadCursor as exc:
            raise serializers.ValidationError(_("Kursor ini bukan dari umpan perubahan.")) from exc


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text=_("Kursor tepat setelah perubahan ini."))
    resource = serializers.ChoiceField(choices=[name for name, _model in RESOURCES])
    action = serializers.ChoiceField(choices=["created", "updated", "deleted"])
    object_id = serializers.IntegerField()
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True, help_text=_("Akun yang mengubah (token atau orang)."))
    data = serializers.DictField(
        help_text=_(
            "Nilai field objek setelah perubahan (sebelum dihapus, untuk deleted); relasi sebagai id."
        )
    )


class ChangesPageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text=_("Kirim sebagai since berikutnya; tetap sama bila belum ada perubahan.")
    )
    has_more = serializers.BooleanField()


def _change_json(change: Change) -> dict:
    """One change of ChangeSerializer's shape, built directly: 500 a page. The time is rendered once
    for the cursor and ``at`` alike, as DRF's encoder renders a datetime (UTC as Z)."""
    position = change.position
    iso = position.at.isoformat()
    return {
        "cursor": position.encode(iso),
        "resource": change.resource,
        "action": change.action,
        "object_id": change.object_id,
        "at": iso[:-6] + "Z" if iso.endswith("+00:00") else iso,
        "by": change.by,
        "data": change.data,
    }


class ChangesView(APIView):
    permission_classes = [IsHQ]

    @extend_schema(
        summary="Umpan perubahan data (untuk sinkronisasi)",
        description=_(
            "Objek yang dibuat, diubah, dan dihapus dari setiap sumber data (wilayah, Pilkades, calon, "
            "satuan, personel, operasi, BKO, indikator, laporan, kerawanan, penugasan), dari riwayat "
            "audit, berurutan. Mulai tanpa since; simpan next_cursor dan kirim sebagai since pada "
            "permintaan berikutnya. has_more true: langsung minta halaman berikutnya. Perubahan dalam "
            "transaksi yang masih berjalan muncul setelah transaksi itu selesai, di tempat urutannya, "
            "tidak pernah setelah kursor melewatinya."
        ),
        parameters=[
            OpenApiParameter("since", str, description=_("Kursor dari next_cursor; kosong: dari awal.")),
            OpenApiParameter(
                "limit", int, description=_("Perubahan per halaman, 1 sampai %(max)d.") % {"max": MAX_LIMIT}
            ),
        ],
        responses={200: ChangesPageSerializer},
    )
    def get(self, request: Request) -> Response:
        query = ChangesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data.get("since")
        changes, has_more = changes_since(
            after=after,
            limit=query.validated_data.get("limit", MAX_LIMIT),
            with_contact=is_kabag_ops(request.user),
        )
        last = changes[-1].position if changes else after
        return Response(
            {
                "results": [_change_json(change) for change in changes],
                "next_cursor": last.encode() if last else None,
                "has_more": has_more,
            }
        )
