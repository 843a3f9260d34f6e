"""The civil side: regions (Kemendagri codes), village elections and candidates."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilkades.feed_history import FeedHistoricalRecords

KABUPATEN_CODE_RE = r"^\d{2}\.\d{2}$"
KECAMATAN_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}$"
DESA_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"

kecamatan_code_validator = RegexValidator(
    KECAMATAN_CODE_RE,
    _("Kode kecamatan harus berbentuk PP.KK.CC, misalnya 36.04.17."),
)
desa_code_validator = RegexValidator(
    DESA_CODE_RE,
    _("Kode desa harus berbentuk PP.KK.CC.DDDD, misalnya 36.04.17.2010."),
)


# An outline is bulk data from the boundary import, not a decision to audit: history keeps the rest.
BOUNDARY_NOT_IN_HISTORY = ["boundary_geojson"]


def boundary_field() -> models.TextField:
    """A place's outline as GeoJSON geometry text ([lng, lat]), simplified for display by the
    boundary import (villages.boundaries); empty when none was imported."""
    return models.TextField(_("batas wilayah (GeoJSON)"), blank=True, default="", editable=False)


def latitude_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )


def longitude_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )


class Kabupaten(models.Model):
    """A kabupaten/kota's outline for the map (kecamatan name theirs in ``kabupaten_name``)."""

    code = models.CharField(
        _("kode Kemendagri"),
        max_length=5,
        unique=True,
        validators=[
            RegexValidator(KABUPATEN_CODE_RE, _("Kode kabupaten harus berbentuk PP.KK, misalnya 36.04."))
        ],
    )
    name = models.CharField(_("nama"), max_length=100)
    latitude = latitude_field(_("lintang titik tengah"))
    longitude = longitude_field(_("bujur titik tengah"))
    boundary_geojson = boundary_field()

    class Meta:
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Kecamatan(models.Model):
    code = models.CharField(
        _("kode Kemendagri"), max_length=8, unique=True, validators=[kecamatan_code_validator]
    )
    name = models.CharField(_("nama"), max_length=100)
    kabupaten_name = models.CharField(_("kabupaten/kota"), max_length=100, blank=True)
    latitude = latitude_field(_("lintang titik tengah"))
    longitude = longitude_field(_("bujur titik tengah"))
    boundary_geojson = boundary_field()

    history = FeedHistoricalRecords(excluded_fields=BOUNDARY_NOT_IN_HISTORY)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DesaQuerySet(models.QuerySet):
    def in_kecamatan(self, kecamatan_ids):
        return self.filter(kecamatan_id__in=kecamatan_ids)


class Desa(models.Model):
    code = models.CharField(
        _("kode Kemendagri"), max_length=13, unique=True, validators=[desa_code_validator]
    )
    name = models.CharField(_("nama"), max_length=100)
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="desa_set", verbose_name=_("kecamatan")
    )
    latitude = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    access_notes = models.TextField(_("catatan akses"), blank=True)
    boundary_geojson = boundary_field()
    sea_access_only = models.BooleanField(
        _("hanya dapat dicapai lewat laut"),
        default=False,
        help_text=_("Desa kepulauan (mis. Pulau Tunda): perlu angkutan laut Polairud."),
    )

    objects = DesaQuerySet.as_manager()

    history = FeedHistoricalRecords(excluded_fields=BOUNDARY_NOT_IN_HISTORY)

    class Meta:
        verbose_name = _("desa")
        verbose_name_plural = _("desa")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="desa_coordinates_both_or_none",
                violation_error_message=_("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        if self.kecamatan_id and self.code:
            prefix = Kecamatan.objects.filter(pk=self.kecamatan_id).values_list("code", flat=True).first()
            if prefix and not self.code.startswith(prefix + "."):
                raise ValidationError(
                    {
                        "code": _("Kode desa %(code)s tidak berada di kecamatan %(kecamatan)s.")
                        % {"code": self.code, "kecamatan": prefix}
                    }
                )


class Election(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        ONGOING = "ongoing", _("Berlangsung")
        FINISHED = "finished", _("Selesai")

    name = models.CharField(_("nama"), max_length=150, unique=True)
    voting_day = models.DateField(_("hari pemungutan suara"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("pilkades")
        verbose_name_plural = _("pilkades")
        ordering = ["-voting_day", "name"]

    def __str__(self) -> str:
        return self.name


class VillageElection(models.Model):
    class Status(models.TextChoices):
        PREPARATION = "preparation", _("Persiapan")
        CANDIDACY = "candidacy", _("Pencalonan")
        CAMPAIGN = "campaign", _("Kampanye")
        VOTED = "voted", _("Pemungutan suara selesai")
        DECIDED = "decided", _("Hasil ditetapkan")
        POSTPONED = "postponed", _("Ditunda")

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="village_elections", verbose_name=_("pilkades")
    )
    desa = models.ForeignKey(
        Desa, on_delete=models.PROTECT, related_name="village_elections", verbose_name=_("desa")
    )
    tps_count = models.PositiveSmallIntegerField(_("jumlah TPS"), validators=[MinValueValidator(1)])
    registered_voters = models.PositiveIntegerField(_("jumlah DPT"))
    committee_formed_on = models.DateField(
        _("panitia dibentuk tanggal"),
        null=True,
        blank=True,
        help_text=_("Kosong bila panitia pilkades desa belum dibentuk."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PREPARATION)

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("pilkades desa")
        verbose_name_plural = _("pilkades desa")
        ordering = ["election", "desa__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "desa"],
                name="village_election_one_per_desa",
                violation_error_message=_("Desa ini sudah terdaftar pada pilkades tersebut."),
            ),
            models.CheckConstraint(
                condition=Q(tps_count__gte=1),
                name="village_election_tps_at_least_one",
                violation_error_message=_("Jumlah TPS minimal 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desa.name} — {self.election.name}"

    @property
    def committee_formed(self) -> bool:
        return self.committee_formed_on is not None


class Candidate(models.Model):
    class HeadStatus(models.TextChoices):
        NONE = "none", _("Bukan kepala desa")
        INCUMBENT = "incumbent", _("Petahana (kepala desa menjabat)")
        FORMER = "former", _("Mantan kepala desa")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Terdaftar")
        CONFIRMED = "confirmed", _("Ditetapkan")
        REJECTED = "rejected", _("Ditolak")

    village_election = models.ForeignKey(
        VillageElection,
        on_delete=models.PROTECT,
        related_name="candidates",
        verbose_name=_("pilkades desa"),
    )
    ballot_number = models.PositiveSmallIntegerField(
        _("nomor urut"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    head_status = models.CharField(
        _("status kepala desa"), max_length=10, choices=HeadStatus.choices, default=HeadStatus.NONE
    )
    lost_before = models.BooleanField(_("pernah mencalonkan dan kalah"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    estimated_supporters = models.PositiveIntegerField(_("perkiraan massa pendukung"), null=True, blank=True)
    needs_close_escort = models.BooleanField(
        _("perlu pam melekat"),
        default=False,
        help_text=_("Calon (dan tim suksesnya) mendapat pengawalan melekat."),
    )
    notes = models.TextField(_("catatan"), blank=True)

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("calon kepala desa")
        verbose_name_plural = _("calon kepala desa")
        ordering = ["village_election", "ballot_number", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village_election", "ballot_number"],
                name="candidate_unique_ballot_number",
                violation_error_message=_("Nomor urut ini sudah dipakai calon lain di desa ini."),
            ),
        ]

    def __str__(self) -> str:
        number = f"{self.ballot_number}. " if self.ballot_number else ""
        return f"{number}{self.full_name}"
