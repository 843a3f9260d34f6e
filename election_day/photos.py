"""Incident photos: accept only a real raster photo, store a fresh JPEG without metadata.

The uploader's bytes are never stored or served. The file must decode completely as JPEG, PNG or
WebP (Pillow, restricted to those formats: SVG, HTML, PDF or a renamed executable fail); it must
not carry markup or a second file after the image's end (a polyglot that a browser or another tool
would read as something else); then it is re-encoded as a plain JPEG, so nothing of the original
container survives. The EXIF GPS position is read first and returned apart: it is for HQ only.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; beyond that a decompression bomb, not a phone photo
JPEG_QUALITY = 85
# Markup that has no business inside a photo: the signature of an HTML/SVG/PHP polyglot.
_MARKUP = re.compile(rb"<\s*(script|svg|html|iframe|object|embed|body)\b|<\?php|javascript:", re.IGNORECASE)
GPS_IFD = 0x8825


@dataclass(frozen=True)
class Photo:
    content: bytes  # the JPEG to store
    width: int
    height: int
    gps: tuple[Decimal, Decimal] | None


def _refuse(message: str) -> ValidationError:
    return ValidationError({"photos": [message]})


def _not_a_photo() -> ValidationError:
    return _refuse(_("Berkas bukan foto yang sah (hanya JPEG, PNG, atau WebP)."))


def _trailing_bytes(data: bytes, image_format: str) -> bool:
    """Bytes after the image's own end marker: another file glued to a photo."""
    if image_format == "JPEG":
        end = data.rfind(b"\xff\xd9")
        return end == -1 or data[end + 2 :].strip(b"\x00\r\n\t ") != b""
    if image_format == "PNG":
        end = data.rfind(b"IEND")
        return end == -1 or len(data) > end + 8  # the chunk type, then its 4-byte CRC
    if image_format == "WEBP":
        declared = int.from_bytes(data[4:8], "little") + 8
        return declared != len(data)
    return True


def _degrees(values, ref) -> Decimal | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if str(ref).upper() in ("S", "W"):
        value = -value
    return Decimal(f"{value:.6f}")


def _gps(image: Image.Image) -> tuple[Decimal, Decimal] | None:
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block only loses the position, not the photo
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat, lng = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def process_photo(upload, *, max_bytes: int, max_side: int) -> Photo:
    """Check one uploaded file and return the JPEG to store; raises ValidationError (field ``photos``)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _refuse(
            _("Foto terlalu besar: %(size).1f MB, paling besar %(max)d MB.")
            % {"size": size / 1024 / 1024, "max": max_bytes // 1024 // 1024}
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(_("Foto terlalu besar: paling besar %(max)d MB.") % {"max": max_bytes // 1024 // 1024})
    if _MARKUP.search(data):
        raise _not_a_photo()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
                image_format = probe.format
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse(_("Foto terlalu besar dalam piksel."))
                probe.verify()
            if _trailing_bytes(data, image_format):
                raise _not_a_photo()
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                image.load()
                gps = _gps(image)
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ) as exc:
        raise _not_a_photo() from exc
    rgb.thumbnail((max_side, max_side))
    out = io.BytesIO()
    # No exif=, no icc_profile=: the stored copy carries no metadata at all.
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return Photo(content=out.getvalue(), width=rgb.width, height=rgb.height, gps=gps)
