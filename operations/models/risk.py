"""Risk (kerawanan): the indicator catalogue, thresholds, security patterns, reports, current risk."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operations.models.levels import RiskLevel
from pilkades.feed_history import FeedHistoricalRecords
from villages.models import VillageElection


class RiskIndicator(models.Model):
    class Kind(models.TextChoices):
        BOOLEAN = "boolean", _("Ya/tidak")
        NUMBER = "number", _("Angka")

    code = models.SlugField(_("kode"), max_length=50, unique=True)
    label = models.CharField(_("indikator"), max_length=200)
    help_text = models.TextField(_("penjelasan"), blank=True)
    kind = models.CharField(_("jenis isian"), max_length=10, choices=Kind.choices)
    weight = models.DecimalField(
        _("bobot"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    full_weight_at = models.DecimalField(
        _("bobot penuh pada nilai"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
        help_text=_("Untuk indikator angka: nilai yang memberi bobot penuh (di bawahnya proporsional)."),
    )
    unit_label = models.CharField(_("satuan angka"), max_length=30, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("indikator kerawanan")
        verbose_name_plural = _("indikator kerawanan")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="boolean") | Q(full_weight_at__isnull=False),
                name="indicator_number_has_full_weight_at",
                violation_error_message=_("Indikator angka memerlukan nilai bobot penuh."),
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.label


class LevelThreshold(models.Model):
    """The lowest score at which a level starts. Aman starts at 0."""

    level = models.PositiveSmallIntegerField(_("tingkat"), choices=RiskLevel.choices, unique=True)
    min_score = models.DecimalField(
        _("skor minimal"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("ambang tingkat kerawanan")
        verbose_name_plural = _("ambang tingkat kerawanan")
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.min_score}"


class PatternSet(models.Model):
    """A named set of security patterns (pola pengamanan), one per level; chosen per operation."""

    name = models.CharField(_("nama"), max_length=150, unique=True)
    source = models.CharField(_("sumber"), max_length=250, blank=True)
    patrol_per_kecamatan = models.PositiveSmallIntegerField(
        _("patroli per kecamatan"),
        default=0,
        help_text=_("Personel patroli untuk setiap kecamatan yang menggelar pilkades (0: tanpa patroli)."),
    )

    class Meta:
        verbose_name = _("set pola pengamanan")
        verbose_name_plural = _("set pola pengamanan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SecurityPattern(models.Model):
    class Form(models.TextChoices):
        PER_TPS_GROUP = "per_tps", _("Per kelompok TPS")
        PER_DESA = "per_desa", _("Per desa")

    pattern_set = models.ForeignKey(
        PatternSet, on_delete=models.CASCADE, related_name="patterns", verbose_name=_("set pola")
    )
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=RiskLevel.choices)
    form = models.CharField(_("bentuk"), max_length=10, choices=Form.choices)
    police = models.PositiveSmallIntegerField(
        _("jumlah polisi"),
        validators=[MinValueValidator(1)],
        help_text=_("Per kelompok TPS (P) atau per desa."),
    )
    tps_per_group = models.PositiveSmallIntegerField(
        _("TPS per kelompok"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Hanya untuk bentuk per kelompok TPS (T)."),
    )
    linmas = models.PositiveSmallIntegerField(
        _("jumlah Linmas"), default=0, help_text=_("Per kelompok TPS (L) atau per desa.")
    )

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("pola pengamanan")
        verbose_name_plural = _("pola pengamanan")
        ordering = ["pattern_set", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["pattern_set", "level"],
                name="pattern_one_per_level",
                violation_error_message=_("Set pola ini sudah memiliki pola untuk tingkat tersebut."),
            ),
            models.CheckConstraint(
                condition=(Q(form="per_tps") & Q(tps_per_group__gte=1))
                | (Q(form="per_desa") & Q(tps_per_group__isnull=True)),
                name="pattern_form_matches_fields",
                violation_error_message=_(
                    "Pola per kelompok TPS memerlukan jumlah TPS per kelompok; pola per desa tidak."
                ),
            ),
            models.CheckConstraint(condition=Q(police__gte=1), name="pattern_police_at_least_one"),
        ]

    def __str__(self) -> str:
        if self.form == self.Form.PER_TPS_GROUP:
            return f"{self.get_level_display()}: {self.police}-{self.tps_per_group}-{self.linmas}"
        return f"{self.get_level_display()}: {self.police} + {self.linmas} Linmas / desa"


class RiskReportQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=RiskReport.Status.VERIFIED)

    def in_kecamatan(self, kecamatan_ids):
        return self.filter(village_election__desa__kecamatan_id__in=kecamatan_ids)


class RiskReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        VERIFIED = "verified", _("Diverifikasi")
        RETURNED = "returned", _("Dikembalikan")

    village_election = models.ForeignKey(
        VillageElection,
        on_delete=models.PROTECT,
        related_name="risk_reports",
        verbose_name=_("pilkades desa"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="risk_reports",
        verbose_name=_("pelapor"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    narrative = models.TextField(_("uraian"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    # The field app's queue may send a submission made without signal hours later: the phone's
    # own time of "Ajukan", kept beside the server's submitted_at so HQ sees when it was made.
    client_time = models.DateTimeField(
        _("diajukan menurut ponsel"),
        null=True,
        blank=True,
        help_text=_("Waktu di ponsel pelapor saat mengajukan; pengiriman bisa tertunda tanpa sinyal."),
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    score = models.DecimalField(
        _("skor"), max_digits=7, decimal_places=2, null=True, blank=True, editable=False
    )
    computed_level = models.PositiveSmallIntegerField(
        _("tingkat terhitung"), choices=RiskLevel.choices, null=True, blank=True, editable=False
    )
    has_unknown = models.BooleanField(
        _("ada isian tidak diketahui"),
        default=False,
        editable=False,
        help_text=_("Ditetapkan saat verifikasi: desa tidak turun di bawah tingkat bawaan operasi."),
    )
    idempotency_key = models.UUIDField(
        _("kunci idempotensi"), null=True, blank=True, unique=True, default=None
    )
    idempotency_fingerprint = models.CharField(
        _("sidik isi permintaan berkunci"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 isi permintaan terakhir dengan kunci ini: ulangan yang sama dikenali."),
    )

    objects = RiskReportQuerySet.as_manager()

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("laporan kerawanan")
        verbose_name_plural = _("laporan kerawanan")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="report_status_submitted"),
            models.Index(fields=["village_election", "status", "decided_at"], name="report_ve_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="report_returned_has_reason",
                violation_error_message=_("Laporan yang dikembalikan harus disertai alasan."),
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(score__isnull=False),
                name="report_verified_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_election.desa.name} — {self.get_status_display()} ({self.pk})"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


def evidence_upload_to(instance: "RiskReportAnswer", filename: str) -> str:
    return f"evidence/{instance.report_id}/{uuid.uuid4().hex}/{filename}"


class RiskReportAnswer(models.Model):
    report = models.ForeignKey(
        RiskReport, on_delete=models.CASCADE, related_name="answers", verbose_name=_("laporan")
    )
    indicator = models.ForeignKey(
        RiskIndicator, on_delete=models.PROTECT, related_name="answers", verbose_name=_("indikator")
    )
    flag = models.BooleanField(_("ya/tidak"), null=True, blank=True)
    number = models.DecimalField(
        _("nilai"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    unknown = models.BooleanField(
        _("tidak diketahui"),
        default=False,
        help_text=_(
            "Pelapor tidak mengetahui jawabannya: dihitung 0, desa tidak turun di bawah tingkat bawaan."
        ),
    )
    evidence = models.CharField(_("keterangan/bukti"), max_length=500, blank=True)
    attachment = models.FileField(
        _("lampiran (foto/dokumen)"), upload_to=evidence_upload_to, null=True, blank=True
    )
    contribution = models.DecimalField(
        _("kontribusi skor"), max_digits=7, decimal_places=2, null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("isian indikator")
        verbose_name_plural = _("isian indikator")
        ordering = ["indicator__order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="answer_one_per_indicator"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0), name="answer_number_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(unknown=False) | (Q(flag__isnull=True) & Q(number__isnull=True)),
                name="answer_unknown_has_no_value",
                violation_error_message=_("Isian 'tidak diketahui' tidak boleh disertai nilai."),
            ),
        ]

    def __str__(self) -> str:
        if self.unknown:
            return f"{self.indicator.code}: ?"
        return f"{self.indicator.code}: {self.flag if self.number is None else self.number}"

    @property
    def is_answered(self) -> bool:
        return self.unknown or self.flag is not None or self.number is not None


class RiskReportTransition(models.Model):
    """Who moved a report from one status to another, when, and why."""

    report = models.ForeignKey(
        RiskReport, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("laporan")
    )
    from_status = models.CharField(_("dari"), max_length=10, choices=RiskReport.Status.choices, blank=True)
    to_status = models.CharField(_("ke"), max_length=10, choices=RiskReport.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    reason = models.TextField(_("alasan"), blank=True)

    class Meta:
        verbose_name = _("riwayat status laporan")
        verbose_name_plural = _("riwayat status laporan")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class VillageRisk(models.Model):
    """A village election's current risk, kept by the verify and override services.

    Stored, not computed per request, so rankings and filters are index scans.
    """

    village_election = models.OneToOneField(
        VillageElection,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="risk",
        verbose_name=_("pilkades desa"),
    )
    report = models.ForeignKey(
        RiskReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("laporan terverifikasi terakhir"),
    )
    score = models.DecimalField(_("skor"), max_digits=7, decimal_places=2, null=True, blank=True)
    computed_level = models.PositiveSmallIntegerField(
        _("tingkat terhitung"), choices=RiskLevel.choices, null=True, blank=True
    )
    override_level = models.PositiveSmallIntegerField(
        _("tingkat ditetapkan Kabag Ops"), choices=RiskLevel.choices, null=True, blank=True
    )
    override_reason = models.TextField(_("alasan penetapan"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditetapkan oleh"),
    )
    override_at = models.DateTimeField(_("ditetapkan pada"), null=True, blank=True)
    last_report_at = models.DateTimeField(_("laporan terakhir"), null=True, blank=True)
    has_unknown = models.BooleanField(_("laporan memuat isian tidak diketahui"), default=False)

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("kerawanan desa saat ini")
        verbose_name_plural = _("kerawanan desa saat ini")
        constraints = [
            models.CheckConstraint(
                condition=Q(override_level__isnull=True) | ~Q(override_reason=""),
                name="risk_override_has_reason",
                violation_error_message=_("Penetapan tingkat wajib disertai alasan tertulis."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.village_election)
