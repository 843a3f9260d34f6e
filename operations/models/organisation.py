"""Units, their jurisdiction and personnel."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from operations import positions
from operations.ranks import Pangkat
from pilkades.feed_history import FeedHistoricalRecords
from villages.models import Desa, Kecamatan

models.CharField.register_lookup(Length)

nrp_validator = RegexValidator(r"^\d{8}$", _("NRP harus tepat 8 angka."))


class Unit(models.Model):
    class Kind(models.TextChoices):
        POLRES = "polres", _("Polres (Mako)")
        POLSEK = "polsek", _("Polsek")
        BRIMOB = "brimob", _("Brimob")
        POLDA = "polda", _("Polda")
        POLAIRUD = "polairud", _("Polairud")
        OTHER = "other", _("Lainnya")

    name = models.CharField(_("nama"), max_length=120, unique=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("satuan induk"),
    )
    hq_address = models.CharField(_("alamat markas"), max_length=200, blank=True)
    hq_latitude = models.DecimalField(
        _("lintang markas"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    hq_longitude = models.DecimalField(
        _("bujur markas"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    supplies_bko = models.BooleanField(
        _("pemasok BKO"),
        default=False,
        help_text=_("Satuan luar yang personelnya di-BKO-kan ke Polres (mis. Brimob, Polda)."),
    )
    kecamatan_set = models.ManyToManyField(
        Kecamatan,
        through="Jurisdiction",
        related_name="+",
        blank=True,
        verbose_name=_("wilayah hukum"),
    )

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("satuan")
        verbose_name_plural = _("satuan")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(hq_latitude__isnull=True) & Q(hq_longitude__isnull=True))
                | (Q(hq_latitude__isnull=False) & Q(hq_longitude__isnull=False)),
                name="unit_hq_coordinates_both_or_none",
                violation_error_message=_("Isi lintang dan bujur markas bersama-sama."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="unit_not_own_parent",
                violation_error_message=_("Satuan tidak boleh menjadi induk dirinya sendiri."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Jurisdiction(models.Model):
    """A kecamatan in a Polsek's area. The one-to-one makes a second Polsek impossible."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="jurisdictions", verbose_name=_("polsek")
    )
    kecamatan = models.OneToOneField(
        Kecamatan,
        on_delete=models.PROTECT,
        related_name="jurisdiction",
        verbose_name=_("kecamatan"),
        error_messages={"unique": _("Kecamatan ini sudah menjadi wilayah Polsek lain.")},
    )

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("wilayah hukum")
        verbose_name_plural = _("wilayah hukum")
        ordering = ["unit__name", "kecamatan__code"]

    def __str__(self) -> str:
        return f"{self.unit} — {self.kecamatan}"

    def clean(self) -> None:
        super().clean()
        # The unit in memory, not the stored row: an admin form may be changing its kind right now.
        unit = getattr(self, "unit", None)
        if unit is not None and unit.kind != Unit.Kind.POLSEK:
            raise ValidationError({"unit": _("Hanya Polsek yang memiliki wilayah kecamatan.")})


class OfficerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def by_seniority(self):
        return self.order_by("-rank", "nrp")

    def for_village_duty(self):
        """Officers who may be proposed or offered for a village duty: not pimpinan, Kapolsek or
        staff by position, nor Kompol and above without one (see operations.positions)."""
        return self.exclude(jabatan__category__in=positions.OFF_VILLAGE_DUTY).filter(
            rank__lt=positions.COMMAND_RANK
        )

    def off_village_duty(self):
        return self.filter(
            Q(jabatan__category__in=positions.OFF_VILLAGE_DUTY) | Q(rank__gte=positions.COMMAND_RANK)
        )


class Officer(models.Model):
    nrp = models.CharField(
        _("NRP"),
        max_length=8,
        unique=True,
        validators=[nrp_validator],
        error_messages={"unique": _("NRP ini sudah terdaftar.")},
    )
    name = models.CharField(_("nama"), max_length=150)
    rank = models.PositiveSmallIntegerField(_("pangkat"), choices=Pangkat.choices)
    position = models.CharField(_("jabatan"), max_length=150, blank=True)
    jabatan = models.ForeignKey(
        "operations.Position",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("jabatan (katalog)"),
        help_text=_("Kategori jabatan: pimpinan, Kapolsek, staf posko dan lainnya tidak diusulkan ke desa."),
    )
    desa_binaan = models.ForeignKey(
        Desa,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bhabinkamtibmas",
        verbose_name=_("desa binaan"),
        help_text=_("Untuk Bhabinkamtibmas: desa yang dibinanya; diusulkan lebih dulu ke desa ini."),
    )
    capabilities = models.ManyToManyField(
        "operations.Capability",
        blank=True,
        related_name="officers",
        verbose_name=_("kemampuan khusus"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="officers", verbose_name=_("satuan asal")
    )
    home_desa = models.ForeignKey(
        Desa,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident_officers",
        verbose_name=_("desa tempat tinggal"),
        help_text=_("Untuk netralitas: personel tidak ditugaskan di desanya sendiri."),
    )
    phone = models.CharField(
        _("telepon"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9 \-]{6,20}$", _("Nomor telepon tidak valid."))],
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
        verbose_name=_("akun login"),
    )
    is_demo = models.BooleanField(_("data demo"), default=False, editable=False)

    objects = OfficerQuerySet.as_manager()

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("personel")
        verbose_name_plural = _("personel")
        ordering = ["-rank", "name"]
        indexes = [models.Index(fields=["unit", "is_active"], name="officer_unit_active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(nrp__length=8),
                name="officer_nrp_eight_chars",
                violation_error_message=_("NRP harus tepat 8 angka."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rank_display()} {self.name} ({self.nrp})"

    def clean(self) -> None:
        super().clean()
        jabatan = self.jabatan if self.jabatan_id else None
        if self.desa_binaan_id and (jabatan is None or jabatan.category != "bhabinkamtibmas"):
            raise ValidationError({"desa_binaan": _("Desa binaan hanya untuk Bhabinkamtibmas.")})

    @property
    def kept_off_village_duty(self) -> bool:
        category = self.jabatan.category if self.jabatan_id else None
        return positions.kept_off_village_duty(category=category, rank=self.rank)

    @property
    def position_title(self) -> str:
        """The position as written on the roster, else the catalogue's name."""
        return self.position or (self.jabatan.name if self.jabatan_id else "")
