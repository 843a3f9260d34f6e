"""Evidence attachments of risk reports, served through the report's permissions.

Files under MEDIA_ROOT are never served by URL: a Polsek reads the evidence of his own
jurisdiction's reports, HQ (and the service tokens, which carry the Pimpinan role) all of it.
Only images browsers render safely and PDF are shown inline, and only when the file starts as its
type does; anything else downloads as application/octet-stream. Session or token, as the API.
"""

import re
from pathlib import PurePosixPath

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from operations import permissions
from operations.selectors.reports import answers_with_evidence

# Suffix -> (content type, what the file starts with).
INLINE_TYPES = {
    ".jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".webp": ("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ".pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
}
DOWNLOAD_TYPE = "application/octet-stream"


def evidence_content_type(name: str, head: bytes) -> str | None:
    """The type to show the file inline as, or None: download it as an opaque file."""
    known = INLINE_TYPES.get(PurePosixPath(name).suffix.lower())
    if known is None:
        return None
    content_type, starts_as = known
    return content_type if starts_as(head) else None


def safe_filename(name: str) -> str:
    """The stored file's own name with anything but letters, digits, dot, dash and underscore
    replaced: nothing in it can break out of the Content-Disposition header."""
    base = PurePosixPath(name).name
    return re.sub(r"[^A-Za-z0-9._-]", "_", base)[:100] or "lampiran"


class CanReadReports(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.is_hq(request.user) or permissions.is_polsek(request.user)


class AnyAccept(BaseContentNegotiation):
    """A file answers whatever the browser accepts (an <img> asks for image/*); errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EvidenceView(APIView):
    permission_classes = [CanReadReports]
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Lampiran bukti sebuah isian laporan (wilayah hukum pelapor, atau HQ)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="Berkas"),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        visible = permissions.jurisdiction_kecamatan_ids(request.user)
        answer = get_object_or_404(answers_with_evidence(visible_kecamatan_ids=visible), pk=pk)
        try:
            file = answer.attachment.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        head = file.read(16)
        file.seek(0)
        content_type = evidence_content_type(answer.attachment.name, head)
        response = FileResponse(
            file,
            as_attachment=content_type is None,
            filename=safe_filename(answer.attachment.name),
            content_type=content_type or DOWNLOAD_TYPE,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
