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


# --- incidents ------------------------------------------------------------------------------------


def report(w, by=None, village=None, severity=2, photos=()):
    return incident_report(
        operation=w.operation,
        village_election=village or w.own[0],
        category=w.category,
        severity=severity,
        description="Massa kubu 2 berkumpul di depan TPS 1",
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
