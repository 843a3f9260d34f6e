import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from election_day.models import Incident, IncidentPhoto, ProgressStep, VillageProgress
from election_day.photos import process_photo
from election_day.services.common import Conflict
from election_day.services.incidents import (
    incident_acknowledge,
    incident_report,
    incident_resolve,
)
from election_day.services.progress import progress_record
from operations.models import RiskLevel, VillageRisk, VillageStanding
from operations.services.reports import risk_override
from tests.election_day.world import build

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture
def w(make_user):
    return build(make_user)


def step(w, stage, by=None, reason="", village=None):
    return progress_record(
        operation=w.operation,
        village_election=village or w.own[0],
        stage=stage,
        by=by or w.leader_user,
        reason=reason,
    )


# --- progress -------------------------------------------------------------------------------------


def test_progress_moves_forward_and_may_skip(w):
    step(w, "tps_open")
    step(w, "counting")
    assert VillageProgress.objects.get(village_election=w.own[0]).stage == "counting"
    assert ProgressStep.objects.filter(village_election=w.own[0]).count() == 2


def test_progress_backwards_needs_a_reason(w):
    step(w, "counting")
    with pytest.raises(ValidationError) as exc:
        step(w, "voting")
    assert "reason" in exc.value.message_dict
    assert VillageProgress.objects.get(village_election=w.own[0]).stage == "counting"
    back, _ = step(w, "voting", reason="Penghitungan dihentikan, listrik padam")
    assert back.is_backward and back.previous_stage == "counting"


def test_database_refuses_a_backward_step_without_reason(w):
    with pytest.raises(IntegrityError):
        ProgressStep.objects.create(
            operation=w.operation,
            village_election=w.own[0],
            stage="voting",
            is_backward=True,
            recorded_by=w.kabag,
        )


def test_postponement_needs_a_reason(w):
    with pytest.raises(ValidationError):
        step(w, "postponed")
    step(w, "postponed", reason="Banjir")
    step(w, "tps_open")  # resuming is a step forward


def test_same_stage_twice_is_refused(w):
    step(w, "voting")
    with pytest.raises(ValidationError):
        step(w, "voting")


def test_progress_outside_ones_area_or_posting_is_refused(w):
    with pytest.raises(PermissionDenied):
        step(w, "voting", by=w.polsek_user, village=w.foreign)
    with pytest.raises(PermissionDenied):
        step(w, "voting", by=w.outsider_user, village=w.own[0])  # posted to the other village
    with pytest.raises(PermissionDenied):
        step(w, "voting", by=w.pimpinan)
    step(w, "voting", by=w.polsek_user)  # the Polsek of the area may


def test_an_officer_posted_there_moves_the_village_until_he_is_made_inactive(w):
    step(w, "tps_open", by=w.member_user)
    w.member.officer.is_active = False
    w.member.officer.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        step(w, "voting", by=w.member_user)
    assert VillageProgress.objects.get(village_election=w.own[0]).stage == "tps_open"


# --- photos ---------------------------------------------------------------------------------------


def jpeg_bytes(size=(64, 48), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def gps_exif():
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 5.0, 30.0), "E", (106.0, 18.0, 0.0)
    exif[0x010F] = "KameraUji"
    return exif


def upload(data: bytes, name="foto.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def check(data, name="foto.jpg"):
    return process_photo(upload(data, name), max_bytes=10 * MB, max_side=1024)


def test_photo_is_reencoded_without_exif_and_gps_kept_apart():
    photo = check(jpeg_bytes(exif=gps_exif()))
    assert photo.gps is not None
    lat, lng = photo.gps
    assert float(lat) == pytest.approx(-6.091667, abs=1e-5) and float(lng) == pytest.approx(106.3, abs=1e-5)
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"KameraUji" not in photo.content


def test_twenty_megabyte_photo_is_refused():
    big = upload(b"\xff\xd8" + b"0" * (20 * MB))
    with pytest.raises(ValidationError) as exc:
        process_photo(big, max_bytes=10 * MB, max_side=1024)
    assert "terlalu besar" in str(exc.value)


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 this is an executable renamed to .jpg" * 10,
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"%PDF-1.4 not a photo",
    ],
    ids=["renamed-exe", "svg", "pdf"],
)
def test_non_images_are_refused(data):
    with pytest.raises(ValidationError) as exc:
        check(data)
    assert "bukan foto" in str(exc.value)


def test_polyglot_with_markup_after_the_image_is_refused():
    with pytest.raises(ValidationError):
        check(jpeg_bytes() + b"<script>alert(document.cookie)</script>")


def test_polyglot_with_a_second_file_glued_on_is_refused():
    with pytest.raises(ValidationError):
        check(jpeg_bytes() + b"PK\x03\x04" + b"\x00" * 40 + b"payload")


def test_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError):
        check(jpeg_bytes((400, 300))[:300])


def test_large_photo_is_downscaled():
    photo = process_photo(upload(jpeg_bytes((3000, 1500))), max_bytes=10 * MB, max_side=1024)
    assert (photo.width, photo.height) == (1024, 512)


def test_png_beyond_sixteen_megapixels_is_refused_but_a_camera_jpeg_that_size_is_taken():
    # 20 MP: a PNG decodes whole (60 MB as RGB); a JPEG is decoded at a fraction of its size.
    out = io.BytesIO()
    Image.new("L", (5000, 4000), 90).save(out, format="PNG")
    with pytest.raises(ValidationError) as exc:
        check(out.getvalue(), "foto.png")
    assert "piksel" in str(exc.value)
    photo = check(jpeg_bytes((5000, 4000)))
    assert (photo.width, photo.height) == (1024, 819)


def test_large_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    from PIL.JpegImagePlugin import JpegImageFile

    decoded = []
    load = JpegImageFile.load

    def spy(self):
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImageFile, "load", spy)
    photo = check(jpeg_bytes((4000, 3000)))
    assert (photo.width, photo.height) == (1024, 768)
    # 1/2 scale: the smallest one still as large as the stored copy; never the full 12 MP
    assert decoded[0] == (2000, 1500) and (4000, 3000) not in decoded


# Markup a browser would run if the stored copy were ever served or opened as HTML. None of it is in
# _MARKUP_TAG's list, so only the re-encoding keeps it out of the stored file.
PAYLOAD = b'<meta http-equiv="refresh" content="0;url=https://evil.example/"><img src=x onerror=alert(1)>'


def jpeg_markers(data: bytes) -> list[int]:
    """The JPEG's segment markers up to the scan (SOS): where COM and APPn segments live."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # SOS: entropy-coded data follows
            break
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def assert_no_trace_of_the_upload(content: bytes) -> None:
    assert b"onerror" not in content and b"evil.example" not in content and b"xmpmeta" not in content
    markers = jpeg_markers(content)
    assert 0xFE not in markers  # COM
    assert [m for m in markers if 0xE1 <= m <= 0xEF] == []  # APP1..APP15: EXIF, XMP, ICC, vendor data
    stored = Image.open(io.BytesIO(content))
    assert "comment" not in stored.info and "xmp" not in stored.info and "icc_profile" not in stored.info


def xmp_packet(markup: bytes) -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b"<rdf:Description><dc:title>" + markup + b"</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def test_jpeg_comment_and_xmp_do_not_survive_the_reencoding():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        out, format="JPEG", comment=PAYLOAD, xmp=xmp_packet(PAYLOAD), exif=gps_exif()
    )
    assert PAYLOAD in out.getvalue() and 0xFE in jpeg_markers(out.getvalue())
    photo = check(out.getvalue())
    assert_no_trace_of_the_upload(photo.content)
    assert photo.gps is not None  # the position is still read, and returned apart for HQ


def test_png_text_chunks_do_not_survive_the_reencoding():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("comment", PAYLOAD.decode())  # Pillow reads it back as info["comment"]: a JPEG COM
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(PAYLOAD).decode())
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (200, 30, 30, 128)).save(out, format="PNG", pnginfo=info)
    assert PAYLOAD in out.getvalue()
    assert_no_trace_of_the_upload(check(out.getvalue(), "foto.png").content)


def test_webp_metadata_does_not_survive_the_reencoding():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        out, format="WEBP", xmp=xmp_packet(PAYLOAD), exif=gps_exif(), icc_profile=b"\0" * 8 + PAYLOAD
    )
    assert PAYLOAD in out.getvalue()
    assert_no_trace_of_the_upload(check(out.getvalue(), "foto.webp").content)


def test_stored_incident_photo_holds_pixels_only(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG", comment=PAYLOAD)
    incident = report(w, photos=[check(out.getvalue())])
    assert_no_trace_of_the_upload(IncidentPhoto.objects.get(incident=incident).image.read())


# --- incidents ------------------------------------------------------------------------------------


def report(
    w, by=None, village=None, severity=2, photos=(), description="Massa kubu 2 berkumpul di depan TPS 1"
):
    return incident_report(
        operation=w.operation,
        village_election=village or w.own[0],
        category=w.category,
        severity=severity,
        description=description,
        by=by or w.leader_user,
        photos=photos,
    )[0]


def test_incident_with_photo_is_stored(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    incident = report(w, photos=[check(jpeg_bytes(exif=gps_exif()))])
    photo = IncidentPhoto.objects.get(incident=incident)
    assert photo.gps_latitude is not None
    assert photo.image.name.endswith(".jpg") and "foto" not in photo.image.name
    assert Image.open(photo.image.path).format == "JPEG"


def test_incident_outside_the_reporters_area_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        report(w, by=w.polsek_user, village=w.foreign)
    assert "village_election" in exc.value.message_dict
    assert not Incident.objects.exists()


def test_database_refuses_severity_outside_one_to_three(w):
    with pytest.raises(IntegrityError):
        Incident.objects.create(
            operation=w.operation,
            village_election=w.own[0],
            category=w.category,
            severity=4,
            description="x",
            reported_by=w.kabag,
        )


def test_severity_is_checked(w):
    with pytest.raises(ValidationError):
        report(w, severity=0)


def test_concurrent_acknowledge_one_wins_other_sees_who(w):
    incident = report(w)
    incident_acknowledge(incident=incident, by=w.kabag)
    with pytest.raises(Conflict) as exc:
        incident_acknowledge(incident=incident, by=w.kabag2)  # his page still showed it as new
    assert "sudah diterima oleh" in exc.value.message
    assert w.kabag.get_username() in exc.value.message or "Bripka" in exc.value.message


def test_only_kabag_ops_triages(w):
    incident = report(w)
    with pytest.raises(PermissionDenied):
        incident_acknowledge(incident=incident, by=w.pimpinan)


def test_resolve_needs_a_note_and_stamps_every_step(w):
    incident = report(w)
    with pytest.raises(ValidationError):
        incident_resolve(incident=incident, note=" ", by=w.kabag)
    incident = incident_resolve(incident=incident, note="Massa dibubarkan dengan persuasif", by=w.kabag)
    assert incident.state == "resolved"
    assert incident.acknowledged_by == w.kabag and incident.resolved_by == w.kabag
    assert incident.history.count() >= 2
    with pytest.raises(Conflict) as exc:
        incident_resolve(incident=incident, note="lagi", by=w.kabag2)
    assert "diselesaikan" in exc.value.message


def test_severity_three_from_the_field_raises_the_village_on_report(w):
    incident = report(w, severity=3)  # the team leader's phone, no HQ step yet
    risk = VillageRisk.objects.get(village_election=w.own[0])
    assert risk.override_level == RiskLevel.SANGAT_RAWAN
    assert f"#{incident.pk}" in risk.override_reason
    assert risk.override_by == w.leader_user
    standing = VillageStanding.objects.get(operation=w.operation, village_election=w.own[0])
    assert standing.level == RiskLevel.SANGAT_RAWAN and standing.is_overridden
    incident.refresh_from_db()
    assert incident.level_raised_at is not None


def test_severity_three_keeps_a_kabag_ops_override_already_at_sangat_rawan(w):
    risk_override(
        village_election=w.own[0], level=RiskLevel.SANGAT_RAWAN, reason="Intel: massa bayaran", by=w.kabag
    )
    report(w, severity=3)
    risk = VillageRisk.objects.get(village_election=w.own[0])
    assert risk.override_reason == "Intel: massa bayaran" and risk.override_by == w.kabag


def test_severity_two_leaves_the_level_alone(w):
    report(w, severity=2)
    assert not VillageRisk.objects.filter(village_election=w.own[0], override_level__isnull=False).exists()


def test_field_users_still_cannot_override_by_hand(w):
    with pytest.raises(PermissionDenied):
        risk_override(village_election=w.own[0], level=RiskLevel.SANGAT_RAWAN, reason="x", by=w.leader_user)


def test_severity_three_logged_by_kabag_ops_raises_at_once(w):
    incident_report(
        operation=w.operation,
        village_election=w.own[1],
        category=w.category,
        severity=3,
        description="Bentrok dua kubu (telepon)",
        by=w.kabag,
        source="posko",
        idempotency_key=uuid.uuid4(),
    )
    assert VillageRisk.objects.get(village_election=w.own[1]).override_level == RiskLevel.SANGAT_RAWAN


def test_the_ranking_shows_why_a_village_was_raised(w, client, api_client):
    """The issue: an override "with the incident as its reason, visible in the ranking". The reason
    is a free text (the incident's own words): drawn as text on the page, plain in the API."""
    from operations.services.reports import risk_override_clear

    incident = report(w, severity=3, description='Massa <script>alert("x")</script> di TPS 2')
    api_client.force_authenticate(w.kabag)
    rows = api_client.get(f"/api/v1/operations/{w.operation.pk}/ranking/").json()["results"]
    row = next(r for r in rows if r["village_election"] == w.own[0].pk)
    assert row["is_overridden"] is True
    assert row["override_reason"].startswith(f"Kejadian #{incident.pk} tingkat 3")
    assert '<script>alert("x")</script>' in row["override_reason"]

    client.force_login(w.kabag)
    page = client.get(f"/operasi/{w.operation.pk}/peringkat/").content.decode()
    assert f"Kejadian #{incident.pk} tingkat 3" in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "<script>alert" not in page

    risk_override_clear(village_election=w.own[0], by=w.kabag)
    rows = api_client.get(f"/api/v1/operations/{w.operation.pk}/ranking/").json()["results"]
    row = next(r for r in rows if r["village_election"] == w.own[0].pk)
    assert row["is_overridden"] is False and row["override_reason"] == ""
