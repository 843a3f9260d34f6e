"""Command structure as data: the position (jabatan) catalogue and the capability catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from operations import positions
from operations.models.organisation import Unit


class Position(models.Model):
    class Category(models.TextChoices):
        PIMPINAN = positions.PIMPINAN, _("Pimpinan / pejabat utama")
        KAPOLSEK = positions.KAPOLSEK, _("Kapolsek / Wakapolsek")
        STAFF = positions.STAFF, _("Staf posko / operator")
        BHABINKAMTIBMAS = positions.BHABINKAMTIBMAS, _("Bhabinkamtibmas")
        FIELD = positions.FIELD, _("Personel lapangan")

    name = models.CharField(
        _("nama jabatan"),
        max_length=80,
        unique=True,
        error_messages={"unique": _("Jabatan ini sudah ada di katalog.")},
    )
    category = models.CharField(_("kategori"), max_length=16, choices=Category.choices)
    command_order = models.PositiveSmallIntegerField(
        _("urutan komando"),
        default=100,
        help_text=_("Urutan di garis komando surat perintah (kecil = lebih dulu)."),
    )
    spellings = models.TextField(
        _("ejaan lain"),
        blank=True,
        help_text=_("Satu per baris: ejaan di daftar personel yang berarti jabatan ini (mis. Kabagops)."),
    )

    class Meta:
        verbose_name = _("jabatan")
        verbose_name_plural = _("katalog jabatan")
        ordering = ["command_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def off_village_duty(self) -> bool:
        return self.category in positions.OFF_VILLAGE_DUTY

    def spelling_list(self) -> list[str]:
        return [line.strip() for line in self.spellings.splitlines() if line.strip()]


class Capability(models.Model):
    """What an officer can do that others cannot (boat crew, Brimob, ...): the Kabag Ops adds entries.

    The allocation knows the codes ``BOAT_CREW`` and ``BRIMOB``; others are shown on the board.
    """

    BOAT_CREW = "boat_crew"
    BRIMOB = "brimob"

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    unit_kind = models.CharField(
        _("melekat pada jenis satuan"),
        max_length=10,
        choices=Unit.Kind.choices,
        blank=True,
        help_text=_(
            "Setiap personel satuan berjenis ini memiliki kemampuan ini (mis. Polairud: awak kapal)."
        ),
    )
    description = models.CharField(_("keterangan"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("kemampuan")
        verbose_name_plural = _("katalog kemampuan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
