"""Election day (Hari-H): stage windows, check-ins, village progress, incidents, dispatches, Lapsit.

The database refuses what must never be stored even if a code path forgets a check: a second
arrival for one posting, a severity outside 1–3, a step backwards without a reason, a resolved
incident without its note.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operations.models import Assignment, Officer, Operation, Stage
from villages.models import VillageElection


def _latitude(name):
    return models.DecimalField(
        name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )


def _longitude(name):
    return models.DecimalField(
        name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )


def _both_or_none(prefix: str, lat: str, lng: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(**{f"{lat}__isnull": True}) & Q(**{f"{lng}__isnull": True}))
        | (Q(**{f"{lat}__isnull": False}) & Q(**{f"{lng}__isnull": False})),
        name=f"{prefix}_coordinates_both_or_none",
        violation_error_message=_("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."),
    )


class StageWindow(models.Model):
    """When a stage of an operation runs: check-ins are accepted inside it, lateness counts from its start."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="stage_windows", verbose_name=_("operasi")
    )
    stage = models.CharField(_("tahap"), max_length=12, choices=Stage.choices)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jadwal tahap")
        verbose_name_plural = _("jadwal tahap")
        ordering = ["operation", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "stage"],
                name="stage_window_one_per_stage",
                violation_error_message=_("Tahap ini sudah memiliki jadwal pada operasi ini."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="stage_window_ends_after_start",
                violation_error_message=_("Waktu selesai harus setelah waktu mulai."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} — {self.get_stage_display()}"


class CheckIn(models.Model):
    class Kind(models.TextChoices):
        ARRIVED = "arrived", _("Tiba di lokasi")
        FINISHED = "finished", _("Selesai/kembali")

    # SET_NULL: a dispatch replaces the posting; the check-in at the old post stays in the record.
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("penugasan"),
    )
    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("operasi")
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("personel")
    )
    stage = models.CharField(_("tahap"), max_length=12, choices=Stage.choices)
    village_election = models.ForeignKey(
        VillageElection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("pilkades desa"),
    )
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    recorded_at = models.DateTimeField(_("waktu server"), auto_now_add=True)
    client_time = models.DateTimeField(_("waktu di ponsel"), null=True, blank=True)
    latitude = _latitude(_("lintang"))
    longitude = _longitude(_("bujur"))
    accuracy_m = models.PositiveIntegerField(_("akurasi (m)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("jarak dari titik desa (m)"), null=True, blank=True, help_text=_("Dihitung saat lapor.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dicatat oleh")
    )
    idempotency_key = models.UUIDField(_("kunci idempotensi"), unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lapor tiba/selesai")
        verbose_name_plural = _("lapor tiba/selesai")
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["operation", "stage", "kind"], name="checkin_operation_stage"),
            # The board's far-arrival list: a range of distances within the operation, not every
            # check-in of a national election day read to find the few far ones.
            models.Index(
                fields=["operation", "distance_m"], name="checkin_far", condition=Q(distance_m__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                name="checkin_once_per_assignment",
                violation_error_message=_("Kedatangan/selesai untuk penugasan ini sudah tercatat."),
            ),
            _both_or_none("checkin", "latitude", "longitude"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} — {self.get_kind_display()}"


class ProgressStage(models.TextChoices):
    """The day of one village, in order; the last two are marks, not steps of the order."""

    TPS_OPEN = "tps_open", _("TPS dibuka")
    VOTING = "voting", _("Pemungutan suara")
    COUNTING = "counting", _("Penghitungan suara")
    ANNOUNCED = "announced", _("Hasil diumumkan")
    ESCORT = "escort", _("Kotak suara dikawal ke kecamatan")
    AT_KECAMATAN = "at_kecamatan", _("Kotak suara tiba di kecamatan")
    DONE = "done", _("Selesai")
    POSTPONED = "postponed", _("Ditunda")
    REPEAT = "repeat", _("Pemungutan suara ulang")


# Position of each step in the day; marks (ditunda/ulang) sit before the first step.
PROGRESS_ORDER = {
    ProgressStage.POSTPONED: 0,
    ProgressStage.REPEAT: 0,
    ProgressStage.TPS_OPEN: 1,
    ProgressStage.VOTING: 2,
    ProgressStage.COUNTING: 3,
    ProgressStage.ANNOUNCED: 4,
    ProgressStage.ESCORT: 5,
    ProgressStage.AT_KECAMATAN: 6,
    ProgressStage.DONE: 7,
}
MARKS = (ProgressStage.POSTPONED, ProgressStage.REPEAT)


class VillageProgress(models.Model):
    """A village's current step (one row per village and operation); its steps are ProgressStep rows."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="village_progress", verbose_name=_("operasi")
    )
    village_election = models.ForeignKey(
        VillageElection, on_delete=models.CASCADE, related_name="progress", verbose_name=_("pilkades desa")
    )
    stage = models.CharField(_("tahap desa"), max_length=12, choices=ProgressStage.choices)
    updated_at = models.DateTimeField(_("diperbarui"))

    class Meta:
        verbose_name = _("kemajuan desa")
        verbose_name_plural = _("kemajuan desa")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "village_election"], name="progress_one_per_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_election} — {self.get_stage_display()}"


class ProgressStep(models.Model):
    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="progress_steps", verbose_name=_("operasi")
    )
    village_election = models.ForeignKey(
        VillageElection,
        on_delete=models.PROTECT,
        related_name="progress_steps",
        verbose_name=_("pilkades desa"),
    )
    stage = models.CharField(_("tahap desa"), max_length=12, choices=ProgressStage.choices)
    previous_stage = models.CharField(
        _("tahap sebelumnya"), max_length=12, choices=ProgressStage.choices, blank=True
    )
    is_backward = models.BooleanField(_("mundur"), default=False)
    reason = models.TextField(_("alasan"), blank=True)
    recorded_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    client_time = models.DateTimeField(_("waktu di ponsel"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    idempotency_key = models.UUIDField(_("kunci idempotensi"), unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("langkah kemajuan desa")
        verbose_name_plural = _("langkah kemajuan desa")
        ordering = ["operation", "village_election", "recorded_at", "pk"]
        indexes = [
            models.Index(
                fields=["operation", "village_election", "recorded_at"], name="progress_step_village"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_backward=False) | ~Q(reason=""),
                name="progress_backward_needs_reason",
                violation_error_message=_("Langkah mundur wajib disertai alasan."),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[s.value for s in MARKS]) | ~Q(reason=""),
                name="progress_postponed_needs_reason",
                violation_error_message=_("Penundaan atau pemungutan ulang wajib disertai alasan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_election} — {self.get_stage_display()}"


class IncidentCategory(models.Model):
    """The editable catalogue of incident kinds (seeded with the list from the field)."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    after_vote = models.BooleanField(
        _("kejadian pasca-pemungutan"),
        default=False,
        help_text=_("Mis. sengketa hasil: dilacak per desa sampai operasi ditutup."),
    )
    sort_order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kategori kejadian")
        verbose_name_plural = _("kategori kejadian")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state=Incident.State.RESOLVED)

    def in_kecamatan(self, kecamatan_ids):
        return self.filter(village_election__desa__kecamatan_id__in=kecamatan_ids)


class Incident(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("Baru")
        ACKNOWLEDGED = "acknowledged", _("Diterima")
        DISPATCHED = "dispatched", _("Tim dikirim")
        RESOLVED = "resolved", _("Selesai ditangani")

    class Source(models.TextChoices):
        FIELD = "field", _("Lapangan (ponsel)")
        POSKO = "posko", _("Posko (laporan masuk)")

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("operasi")
    )
    village_election = models.ForeignKey(
        VillageElection, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("pilkades desa")
    )
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("kategori")
    )
    severity = models.PositiveSmallIntegerField(
        _("tingkat"),
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 ringan, 2 sedang, 3 berat (desa menjadi Sangat Rawan)."),
    )
    description = models.TextField(_("uraian"))
    source = models.CharField(_("sumber"), max_length=6, choices=Source.choices, default=Source.FIELD)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.NEW)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("pelapor")
    )
    reported_at = models.DateTimeField(_("dilaporkan"), auto_now_add=True)
    client_time = models.DateTimeField(_("waktu di ponsel"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diterima oleh"),
    )
    acknowledged_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tim dikirim oleh"),
    )
    dispatched_at = models.DateTimeField(_("tim dikirim"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diselesaikan oleh"),
    )
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    resolution_note = models.TextField(_("catatan penyelesaian"), blank=True)
    level_raised_at = models.DateTimeField(
        _("desa dinaikkan ke Sangat Rawan"),
        null=True,
        blank=True,
        help_text=_(
            "Kejadian tingkat 3: penetapan tingkat oleh Kabag Ops dengan kejadian ini sebagai alasan."
        ),
    )
    idempotency_key = models.UUIDField(_("kunci idempotensi"), unique=True, null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kejadian")
        verbose_name_plural = _("kejadian")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["operation", "state", "severity"], name="incident_board")]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1) & Q(severity__lte=3),
                name="incident_severity_1_to_3",
                violation_error_message=_("Tingkat kejadian 1 sampai 3."),
            ),
            models.CheckConstraint(
                condition=Q(state="new")
                | (Q(acknowledged_at__isnull=False) & Q(acknowledged_by__isnull=False)),
                name="incident_acknowledged_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state="dispatched") | Q(dispatched_at__isnull=False),
                name="incident_dispatched_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state="resolved")
                | (Q(resolved_at__isnull=False) & Q(resolved_by__isnull=False) & ~Q(resolution_note="")),
                name="incident_resolved_with_note",
                violation_error_message=_("Kejadian selesai wajib disertai catatan penyelesaian."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} — {self.village_election}"


def incident_photo_path(instance: "IncidentPhoto", filename: str) -> str:
    # Never the uploader's file name: the stored copy is always a JPEG named by the server.
    return f"kejadian/{instance.incident_id}/{instance.token}.jpg"


class IncidentPhoto(models.Model):
    """A photo re-encoded by the server as a plain JPEG without EXIF; its GPS position kept apart for HQ."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="photos", verbose_name=_("kejadian")
    )
    token = models.UUIDField(_("nama berkas"), unique=True)
    # Width and height are written by the service from the re-encoded image (no re-read of the file).
    image = models.ImageField(_("foto"), upload_to=incident_photo_path)
    width = models.PositiveIntegerField(_("lebar"), default=0)
    height = models.PositiveIntegerField(_("tinggi"), default=0)
    gps_latitude = _latitude(_("lintang EXIF (khusus Posko)"))
    gps_longitude = _longitude(_("bujur EXIF (khusus Posko)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diunggah oleh")
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("foto kejadian")
        verbose_name_plural = _("foto kejadian")
        ordering = ["incident", "uploaded_at", "pk"]
        constraints = [_both_or_none("incident_photo", "gps_latitude", "gps_longitude")]

    def __str__(self) -> str:
        return f"{self.incident} — {self.token}"


class Dispatch(models.Model):
    """One officer sent to an incident: from his post (reserve or patrol) to the incident's village."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("kejadian")
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("personel")
    )
    from_duty = models.CharField(_("tugas asal"), max_length=15)
    from_place = models.CharField(_("lokasi asal"), max_length=150, blank=True)
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("penugasan baru"),
    )
    distance_km = models.DecimalField(_("jarak (km)"), max_digits=8, decimal_places=2, null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dikonfirmasi oleh"),
    )
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengiriman tim")
        verbose_name_plural = _("pengiriman tim")
        ordering = ["incident", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "officer"], name="dispatch_officer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} → {self.incident}"


class BoardVersion(models.Model):
    """Bumped by every election-day write of an operation: the board's ETag is built on it.

    Each part of the board also has its own counter, bumped only by the writes that change it, so
    after a check-in the board rebuilds its presence and reuses the cached incident feed and stages.
    """

    operation = models.OneToOneField(
        Operation, on_delete=models.CASCADE, primary_key=True, related_name="board_version"
    )
    version = models.PositiveBigIntegerField(default=0)
    presence = models.PositiveBigIntegerField(default=0)
    progress = models.PositiveBigIntegerField(default=0)
    incidents = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("versi papan Posko")
        verbose_name_plural = _("versi papan Posko")

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.version}"


class LapsitSnapshot(models.Model):
    class Kind(models.TextChoices):
        HOURLY = "hourly", _("Per jam")
        MANUAL = "manual", _("Sewaktu-waktu")
        FINAL = "final", _("Laporan akhir")

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="lapsit_snapshots", verbose_name=_("operasi")
    )
    kind = models.CharField(_("jenis"), max_length=6, choices=Kind.choices)
    taken_at = models.DateTimeField(_("waktu"))
    text = models.TextField(_("teks"))
    data = models.JSONField(_("data"), default=dict)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )

    class Meta:
        verbose_name = _("Lapsit tersimpan")
        verbose_name_plural = _("Lapsit tersimpan")
        ordering = ["operation", "taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation"], condition=Q(kind="final"), name="lapsit_one_final_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} — {self.taken_at:%Y-%m-%d %H:%M}"
