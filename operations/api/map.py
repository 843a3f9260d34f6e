"""Map data API: the operation's villages as GeoJSON for other tools, cached and gzip-compressed.

The answer is cached compressed under the operation's ranking version (bumped by every change of
its ranking rows, as for the ranking pages) and the boundary version (bumped by every boundary
import), so a cached answer is served without touching the rows and without compressing again.
"""

from __future__ import annotations

import gzip
import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from operations import permissions
from operations.api.risk import ERRORS, IsHQ
from operations.models import Operation
from operations.ranking_cache import TIMEOUT_SECONDS, ranking_stamp
from operations.selectors.map import desa_map_geojson, kabupaten_map_geojson
from villages.boundary_import import boundary_version
from villages.models import KABUPATEN_CODE_RE

GEOJSON = "application/geo+json"


class MapQuerySerializer(serializers.Serializer):
    kabupaten = serializers.RegexField(
        KABUPATEN_CODE_RE,
        required=False,
        error_messages={"invalid": _("Kode kabupaten harus berbentuk PP.KK, misalnya 36.04.")},
    )
    level = serializers.ChoiceField(choices=["desa", "kabupaten"], default="desa")

    def validate(self, attrs):
        if attrs["level"] == "desa" and not attrs.get("kabupaten"):
            raise serializers.ValidationError(
                {
                    "kabupaten": _(
                        "Peta tingkat desa hanya per kabupaten: sebutkan ?kabupaten=PP.KK (mis. 36.04), "
                        "atau minta ringkasan nasional per kabupaten dengan ?level=kabupaten."
                    )
                }
            )
        return attrs


@extend_schema(
    summary="Peta risiko (GeoJSON)",
    description=(
        "Desa satu kabupaten (`?kabupaten=36.04`) sebagai FeatureCollection: batas wilayah (atau titik "
        "tengah bila belum ada batas) dengan code, name, level, score, need, assigned, shortfall, "
        "sea_access_only, centroid. "
        "Tanpa kabupaten hanya `?level=kabupaten` yang dijawab: batas kabupaten dengan jumlah desanya. "
        "Disimpan di cache per versi peringkat operasi; dikompresi gzip bila klien menerimanya."
    ),
    parameters=[
        OpenApiParameter("kabupaten", str, description="Kode kabupaten PP.KK, mis. 36.04"),
        OpenApiParameter("level", str, enum=["desa", "kabupaten"], description="Bawaan: desa"),
    ],
    responses={
        (200, GEOJSON): OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection"),
        400: ERRORS[400],
        403: ERRORS[403],
        404: ERRORS[404],
    },
)
class OperationMapView(APIView):
    permission_classes = [IsHQ]

    def get(self, request: Request, operation_id: int) -> HttpResponse:
        stamp = ranking_stamp(operation_id)
        if stamp is None:
            raise Http404
        query = MapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kabupaten, level = query.validated_data.get("kabupaten", ""), query.validated_data["level"]
        visible = permissions.jurisdiction_kecamatan_ids(request.user)
        scope = "all" if visible is None else ",".join(map(str, sorted(visible)))
        # The name guards against a deleted operation's id reused by a new one; the language the
        # level labels.
        digest = hashlib.blake2b(
            "|".join([stamp.name, kabupaten, level, scope, get_language() or ""]).encode(), digest_size=16
        ).hexdigest()
        key = f"map:{operation_id}:{stamp.version}:{boundary_version()}:{digest}"
        compressed = cache.get(key)
        if compressed is None:
            operation = Operation(pk=operation_id)
            body = (
                kabupaten_map_geojson(operation=operation, visible_kecamatan_ids=visible)
                if level == "kabupaten"
                else desa_map_geojson(operation=operation, kabupaten=kabupaten, visible_kecamatan_ids=visible)
            )
            # Level 1: a kabupaten's 0.55 MB compresses in a few ms to ~140 KB; level 6 took 3-5
            # times longer (the bulk of a request after a change) for 20 % less.
            compressed = gzip.compress(body, compresslevel=1, mtime=0)
            cache.set(key, compressed, TIMEOUT_SECONDS)
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            compressed if accepts_gzip else gzip.decompress(compressed), content_type=GEOJSON
        )
        if accepts_gzip:
            response["Content-Encoding"] = "gzip"
        response["Vary"] = "Accept-Encoding, Authorization, Cookie"
        return response
