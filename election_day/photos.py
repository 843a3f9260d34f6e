"""Incident photos: accept only a real raster photo, store a fresh JPEG without metadata.

The uploader's bytes are never stored or served. The file must decode completely as JPEG, PNG or
WebP (Pillow, restricted to those formats: SVG, HTML, PDF or a renamed executable fail); it must
not carry markup or a second file after the image's end (a polyglot that a browser or another tool
would read as something else); then its pixels, and only its pixels, are encoded as a plain JPEG, so
nothing of the original container survives: no comment, EXIF, XMP, ICC profile or text chunk. The
EXIF GPS position is read first and returned apart: it is for HQ only.
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
# Beyond these a decompression bomb, not a photo. A JPEG is decoded at 1/2 to 1/8 scale when the stored
# copy is that much smaller (Image.draft), so a 50-megapixel camera JPEG sent by the form without the
# phone's downscaling costs ~12 MP of memory. PNG and WebP decode whole: 16 MP (a 4608×3456 photo) is
# ~48 MB as RGB, where 50 MP would be 150 MB in a worker recycled at 512 MB; the phone itself sends
# a JPEG of at most 1600 px.
MAX_PIXELS = {"JPEG": 50_000_000, "PNG": 16_000_000, "WEBP": 16_000_000}
JPEG_QUALITY = 85
# Markup that has no business inside a photo: the signature of an HTML/SVG/PHP polyglot. Searched
# in the lowered bytes (ASCII case folding, as re.IGNORECASE would do on bytes) with a pattern that
# starts with a literal "<": five times faster over a 200 KB photo than one case-insensitive pattern.
_MARKUP_TAG = re.compile(rb"<(?:\s*(?:script|svg|html|iframe|object|embed|body)\b|\?php)")
_MARKUP_URL = b"javascript:"
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


def _has_markup(data: bytes) -> bool:
    lowered = data.lower()
    return _MARKUP_URL in lowered or _MARKUP_TAG.search(lowered) is not None


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


def _stored_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The stored copy's size, either way round (EXIF may yet turn the picture a quarter turn)."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


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
    if _has_markup(data):
        raise _not_a_photo()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
                image_format = probe.format
                if probe.width * probe.height > MAX_PIXELS[image_format]:
                    raise _refuse(_("Foto terlalu besar dalam piksel."))
                probe.verify()
            if _trailing_bytes(data, image_format):
                raise _not_a_photo()
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                # JPEG only (a no-op for the others): decoded at the smallest 1/2..1/8 scale still
                # as large as the stored copy, then resized the rest of the way by thumbnail().
                image.draft(None, _stored_size(image.size, max_side))
                image.load()
                gps = _gps(image)
                ImageOps.exif_transpose(image, in_place=True)  # the position is read: no copy needed
                rgb = image if image.mode == "RGB" else image.convert("RGB")
                rgb.thumbnail((max_side, max_side))
                # A new image holding the pixels alone: the decoded one's info (a JPEG COM, a PNG
                # "comment" text chunk) would be written back by save() as a COM segment.
                pixels = Image.new("RGB", rgb.size)
                pixels.paste(rgb)
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
    out = io.BytesIO()
    # No exif=, no icc_profile=, no xmp=: the stored copy carries no metadata at all. No
    # optimize=True: it only shrinks the Huffman tables (the same pixels, ~10 % fewer bytes) at twice
    # the encoding time, and encoding is most of the server's cost of an incident with a photo.
    pixels.save(out, format="JPEG", quality=JPEG_QUALITY)
    return Photo(content=out.getvalue(), width=pixels.width, height=pixels.height, gps=gps)
