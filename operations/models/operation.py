"""An operation, its BKO contingents and its stored ranking rows."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from operations.models.levels import RiskLevel
from operations.models.organisation import Unit, nrp_validator
from operations.models.risk import PatternSet
from operations.ranks import Pangkat
from pilkades.feed_history import FeedHistoricalRecords
from villages.models import Election, Kecamatan, VillageElection


class Operation(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Rencana")
        ACTIVE = "active", _("Berjalan")
        CLOSED = "closed", _("Selesai")

    name = models.CharField(_("nama operasi"), max_length=150, unique=True)
    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="operations", verbose_name=_("pilkades")
    )
    sprin_number = models.CharField(_("nomor Sprin"), max_length=100, blank=True)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    pattern_set = models.ForeignKey(
        PatternSet,
        on_delete=models.PROTECT,
        related_name="operations",
        verbose_name=_("pola pengamanan"),
    )
    unassessed_level = models.PositiveSmallIntegerField(
        _("tingkat untuk desa belum dinilai"),
        choices=RiskLevel.choices,
        default=RiskLevel.RAWAN,
        help_text=_(
            "Desa tanpa laporan terverifikasi dihitung pada tingkat ini, tidak pernah Aman diam-diam."
        ),
    )
    escorts_per_candidate = models.PositiveSmallIntegerField(
        _("personel pam melekat per calon"), default=4, validators=[MinValueValidator(2)]
    )
    boat_team_size = models.PositiveSmallIntegerField(
        _("tim kapal per desa laut"),
        default=2,
        validators=[MinValueValidator(2)],
        help_text=_("Personel Polairud (awak kapal) untuk setiap desa yang hanya dapat dicapai lewat laut."),
    )
    reaction_reserve = models.PositiveIntegerField(
        _("cadangan reaksi Brimob"),
        default=0,
        help_text=_("Personel Brimob yang ditahan sebagai cadangan reaksi sebelum mengisi desa Aman."),
    )
    order_date = models.DateField(_("tanggal Sprin"), null=True, blank=True)
    order_basis = models.TextField(
        _("Dasar"),
        blank=True,
        help_text=_("Dasar surat perintah, satu butir per baris."),
    )
    order_purpose = models.TextField(
        _("Untuk"),
        blank=True,
        help_text=_("Isi perintah (Untuk), satu butir per baris."),
    )
    signatory_name = models.CharField(_("nama penandatangan (Kapolres)"), max_length=150, blank=True)
    signatory_rank = models.PositiveSmallIntegerField(
        _("pangkat penandatangan"), choices=Pangkat.choices, null=True, blank=True
    )
    signatory_nrp = models.CharField(
        _("NRP penandatangan"), max_length=8, blank=True, validators=[nrp_validator]
    )
    assignment_version = models.PositiveIntegerField(
        _("versi penugasan"),
        default=0,
        editable=False,
        help_text=_("Naik setiap kali penugasan berubah; usulan yang basi ditolak saat diterapkan."),
    )
    sea_port_name = models.CharField(
        _("pelabuhan penyeberangan"),
        max_length=120,
        blank=True,
        help_text=_("Pelabuhan keberangkatan ke desa yang hanya dapat dicapai lewat laut (mis. Karangantu)."),
    )
    sea_port_latitude = models.DecimalField(
        _("lintang pelabuhan"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    sea_port_longitude = models.DecimalField(
        _("bujur pelabuhan"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    ranking_version = models.PositiveIntegerField(
        _("versi peringkat"),
        default=0,
        editable=False,
        help_text=_("Naik setiap kali baris peringkat berubah; halaman peringkat di cache ikut basi."),
    )

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("operasi")
        verbose_name_plural = _("operasi")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="operation_ends_after_start",
                violation_error_message=_("Tanggal selesai tidak boleh sebelum tanggal mulai."),
            ),
            models.CheckConstraint(
                condition=(Q(sea_port_latitude__isnull=True) & Q(sea_port_longitude__isnull=True))
                | (Q(sea_port_latitude__isnull=False) & Q(sea_port_longitude__isnull=False)),
                name="operation_sea_port_coordinates_both_or_none",
                violation_error_message=_("Isi lintang dan bujur pelabuhan bersama-sama."),
            ),
            models.CheckConstraint(
                condition=Q(boat_team_size__gte=2),
                name="operation_boat_team_in_pairs",
                violation_error_message=_("Tim kapal minimal 2 personel."),
            ),
            models.CheckConstraint(
                condition=Q(escorts_per_candidate__gte=2),
                name="operation_escorts_in_pairs",
                violation_error_message=_("Pam melekat minimal 2 personel (tidak pernah sendirian)."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Closed is final: the final report was written from this state (election_day's
        # operation_close, the only way in), so neither the status nor anything else changes after.
        stored = self.pk and Operation.objects.filter(pk=self.pk).values("status", "name").first()
        if stored and stored["status"] == self.Status.CLOSED:
            raise ValidationError(_("Operasi %(name)s sudah ditutup.") % {"name": stored["name"]})
        if self.status == self.Status.CLOSED:
            message = _(
                "Operasi ditutup lewat Tutup operasi di halaman Lapsit (API: operations/<id>/close/), "
                "yang membuat laporan akhir."
            )
            raise ValidationError({"status": message})


class BkoContingent(models.Model):
    """Reinforcements from an outside unit, placed under the Polres's control for one operation."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Diharapkan")
        ARRIVED = "arrived", _("Tiba (di bawah kendali Polres)")
        RELEASED = "released", _("Dikembalikan")

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="bko_contingents", verbose_name=_("operasi")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="bko_contingents", verbose_name=_("satuan asal")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.EXPECTED)
    expected_strength = models.PositiveIntegerField(_("kekuatan yang diharapkan"), default=0)
    arrived_on = models.DateField(_("tiba tanggal"), null=True, blank=True)
    released_on = models.DateField(_("dikembalikan tanggal"), null=True, blank=True)

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("kontingen BKO")
        verbose_name_plural = _("kontingen BKO")
        ordering = ["operation", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "unit"],
                name="bko_one_contingent_per_unit",
                violation_error_message=_("Satuan ini sudah punya kontingen BKO di operasi ini."),
            ),
        ]

    def __str__(self) -> str:
        return f"BKO {self.unit} — {self.operation}"


RANKING_ORDER = ("-level", "-score", "-registered_voters", "desa_code")


def _in_ranking_order(*leading: str, name: str) -> models.Index:
    """An index on ``leading`` then the ranking order, so a filtered page needs no sort."""
    ordered = [F(f[1:]).desc() if f.startswith("-") else F(f) for f in RANKING_ORDER]
    return models.Index(*(F(f) for f in leading), *ordered, name=name)


# Officers posted beyond a village's need (after its need fell), in SQL; the row's own is
# VillageStanding.surplus. Shown beside the shortfall on the board and the dashboard.
SURPLUS = Greatest(F("assigned_personnel") - F("required_personnel"), Value(0))


class VillageStandingQuerySet(models.QuerySet):
    def ranked(self):
        return self.order_by(*RANKING_ORDER)


class VillageStanding(models.Model):
    """One village's row in an operation's ranking: level, score, need and what it has.

    Kept current by the services that verify reports, override levels, change patterns and
    assign officers, so the ranking is an index scan instead of a computation per request.
    """

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="standings", verbose_name=_("operasi")
    )
    village_election = models.ForeignKey(
        VillageElection, on_delete=models.CASCADE, related_name="standings", verbose_name=_("pilkades desa")
    )
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    polsek = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("polsek")
    )
    # Names and the kabupaten code are copied from the places (kept by the standings services), so a
    # ranking page is one index scan of this table instead of a join over four.
    desa_code = models.CharField(_("kode desa"), max_length=13)
    desa_name = models.CharField(_("desa"), max_length=100, default="")
    kecamatan_name = models.CharField(_("nama kecamatan"), max_length=100, default="")
    kabupaten_code = models.CharField(_("kode kabupaten"), max_length=5, default="")
    polsek_name = models.CharField(_("nama polsek"), max_length=120, blank=True, default="")
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=RiskLevel.choices)
    computed_level = models.PositiveSmallIntegerField(
        _("tingkat terhitung"), choices=RiskLevel.choices, null=True, blank=True
    )
    is_overridden = models.BooleanField(_("ditetapkan manual"), default=False)
    # Why, in the words of whoever set it (the Kabag Ops, or a severity-3 incident's own line).
    override_reason = models.TextField(_("alasan penetapan"), blank=True, default="")
    score = models.DecimalField(_("skor"), max_digits=7, decimal_places=2, default=0)
    registered_voters = models.PositiveIntegerField(_("DPT"), default=0)
    tps_count = models.PositiveSmallIntegerField(_("TPS"), default=0)
    escorted_candidates = models.PositiveSmallIntegerField(_("calon dikawal"), default=0)
    required_personnel = models.PositiveIntegerField(_("kebutuhan personel"), default=0)
    required_linmas = models.PositiveIntegerField(_("kebutuhan Linmas"), default=0)
    assigned_personnel = models.PositiveIntegerField(_("personel ditugaskan"), default=0)
    shortfall = models.PositiveIntegerField(_("kekurangan"), default=0)
    last_report_at = models.DateTimeField(_("laporan terakhir"), null=True, blank=True)

    objects = VillageStandingQuerySet.as_manager()

    class Meta:
        verbose_name = _("peringkat desa")
        verbose_name_plural = _("peringkat desa")
        ordering = ["operation", "-level", "-score", "-registered_voters", "desa_code"]
        indexes = [
            # A page of the operation, of a kabupaten, a kecamatan or a Polsek is an index range
            # already in ranking order: no sort, and no planner's guess between filtering the whole
            # ranking and sorting a slice.
            _in_ranking_order("operation", name="standing_rank_order"),
            _in_ranking_order("operation", "kabupaten_code", name="standing_kabupaten_rank"),
            _in_ranking_order("operation", "kecamatan", name="standing_kecamatan_rank"),
            _in_ranking_order("operation", "polsek", name="standing_polsek_rank"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "village_election"], name="standing_one_per_village"
            ),
            models.CheckConstraint(
                condition=Q(shortfall=0) | Q(required_personnel__gt=F("assigned_personnel")),
                name="standing_shortfall_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_election} — {self.operation}"

    @property
    def surplus(self) -> int:
        """Officers posted beyond the need (after the need fell): shown beside the shortfall."""
        return max(self.assigned_personnel - self.required_personnel, 0)

    @property
    def level_label(self) -> str:
        # A property, not get_level_display: DRF inspects a callable source's signature on every row.
        return str(RiskLevel(self.level).label)
