"""Assignments of officers and the allocation proposals that suggest them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from operations.models.levels import RiskLevel
from operations.models.operation import Operation
from operations.models.organisation import Officer, Unit
from pilkades.feed_history import FeedHistoricalRecords
from villages.models import Candidate, Desa, Kecamatan, VillageElection


class Stage(models.TextChoices):
    REGISTRATION = "registration", _("Pendaftaran")
    CAMPAIGN = "campaign", _("Kampanye")
    QUIET = "quiet", _("Masa tenang")
    VOTING = "voting", _("Hari pemungutan suara")
    COUNTING = "counting", _("Penghitungan & pengawalan kotak suara")


class Duty(models.TextChoices):
    VILLAGE_GUARD = "village_guard", _("Pengamanan desa (TPS)")
    CLOSE_ESCORT = "close_escort", _("Pam melekat calon")
    BOAT_TEAM = "boat_team", _("Tim kapal (Polairud)")
    BALLOT_ESCORT = "ballot_escort", _("Pengawalan kotak suara ke kecamatan")
    PATROL = "patrol", _("Patroli kecamatan")
    RESERVE = "reserve", _("Cadangan di Mako")


VILLAGE_DUTIES = (Duty.VILLAGE_GUARD, Duty.CLOSE_ESCORT, Duty.BALLOT_ESCORT, Duty.BOAT_TEAM)


class AssignmentQuerySet(models.QuerySet):
    def for_stage(self, operation_id: int, stage: str):
        return self.filter(operation_id=operation_id, stage=stage)


class Assignment(models.Model):
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("operasi")
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("personel")
    )
    stage = models.CharField(_("tahap"), max_length=12, choices=Stage.choices, default=Stage.VOTING)
    duty = models.CharField(_("tugas"), max_length=15, choices=Duty.choices)
    village_election = models.ForeignKey(
        VillageElection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("pilkades desa"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escorts",
        verbose_name=_("calon dikawal"),
    )
    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan"),
        help_text=_("Diisi otomatis dari desa; diisi langsung untuk patroli."),
    )
    # Copies kept by the assignment service so the database itself can refuse a posting that
    # breaks neutrality or jurisdiction, even if a code path forgets the Python check.
    desa = models.ForeignKey(Desa, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    officer_home_desa = models.ForeignKey(
        Desa, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer_polsek = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area_polsek = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_team_leader = models.BooleanField(
        _("ketua tim (ditetapkan)"),
        default=False,
        help_text=_("Kosongkan agar ketua tim dihitung otomatis: personel berpangkat tertinggi."),
    )
    note = models.CharField(_("catatan"), max_length=250, blank=True)
    command_reason = models.CharField(
        _("alasan penugasan pimpinan"),
        max_length=250,
        blank=True,
        help_text=_(
            "Wajib bila pimpinan, Kapolsek/Wakapolsek atau staf posko ditugaskan di desa; "
            "penugasan ini ditandai di papan."
        ),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ditugaskan oleh"),
    )
    assigned_at = models.DateTimeField(_("ditugaskan pada"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    history = FeedHistoricalRecords()

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        ordering = ["operation", "stage", "village_election", "-officer__rank"]
        indexes = [
            models.Index(fields=["operation", "stage", "village_election"], name="assignment_village"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "operation", "stage"],
                name="assignment_no_double_booking",
                violation_error_message=_(
                    "Personel ini sudah mendapat tugas lain pada operasi dan tahap yang sama."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(duty__in=["village_guard", "ballot_escort", "boat_team"])
                    & Q(village_election__isnull=False)
                    & Q(candidate__isnull=True)
                )
                | (Q(duty="close_escort") & Q(village_election__isnull=False) & Q(candidate__isnull=False))
                | (
                    Q(duty="patrol")
                    & Q(village_election__isnull=True)
                    & Q(candidate__isnull=True)
                    & Q(kecamatan__isnull=False)
                )
                | (
                    Q(duty="reserve")
                    & Q(village_election__isnull=True)
                    & Q(candidate__isnull=True)
                    & Q(kecamatan__isnull=True)
                ),
                name="assignment_duty_shape",
                violation_error_message=_(
                    "Tugas tidak lengkap: desa wajib untuk pengamanan/pengawalan, calon untuk pam "
                    "melekat, kecamatan untuk patroli; cadangan tanpa lokasi."
                ),
            ),
            models.CheckConstraint(
                condition=Q(desa__isnull=True)
                | Q(officer_home_desa__isnull=True)
                | ~Q(desa=F("officer_home_desa")),
                name="assignment_neutral_not_home_desa",
                violation_error_message=_(
                    "Netralitas: personel tidak boleh ditugaskan di desa tempat tinggalnya."
                ),
            ),
            models.CheckConstraint(
                condition=Q(duty="reserve")
                | Q(officer_polsek__isnull=True)
                | Q(officer_polsek=F("area_polsek")),
                name="assignment_polsek_in_jurisdiction",
                violation_error_message=_(
                    "Personel Polsek hanya dapat ditugaskan di wilayah hukum Polseknya atau sebagai cadangan."
                ),
            ),
            models.UniqueConstraint(
                fields=["operation", "stage", "village_election"],
                condition=Q(is_team_leader=True),
                name="assignment_one_team_leader",
                violation_error_message=_("Desa ini sudah memiliki ketua tim yang ditetapkan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} — {self.get_duty_display()}"


class AllocationProposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Usulan")
        APPLIED = "applied", _("Diterapkan")
        DISCARDED = "discarded", _("Dibatalkan")

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("operasi")
    )
    stage = models.CharField(_("tahap"), max_length=12, choices=Stage.choices, default=Stage.VOTING)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    based_on_version = models.PositiveIntegerField(_("versi penugasan dasar"))
    basis = models.JSONField(
        _("dasar perhitungan"),
        default=dict,
        editable=False,
        help_text=_(
            "Penugasan tahapnya dan tingkat/kebutuhan tiap desa saat usulan dihitung; usulan ditolak "
            "bila salah satunya berubah sebelum diterapkan."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    total_distance_km = models.DecimalField(_("total jarak (km)"), max_digits=12, decimal_places=2, default=0)
    total_shortfall = models.PositiveIntegerField(_("total kekurangan"), default=0)
    summary = models.JSONField(_("ringkasan"), default=dict, blank=True)

    class Meta:
        verbose_name = _("usulan alokasi")
        verbose_name_plural = _("usulan alokasi")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.operation} — {self.get_status_display()} ({self.pk})"


class ProposalItem(models.Model):
    proposal = models.ForeignKey(
        AllocationProposal, on_delete=models.CASCADE, related_name="items", verbose_name=_("usulan")
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="+", verbose_name=_("personel")
    )
    village_election = models.ForeignKey(
        VillageElection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pilkades desa"),
    )
    duty = models.CharField(_("tugas"), max_length=15, choices=Duty.choices, default=Duty.VILLAGE_GUARD)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("calon")
    )
    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan"),
        help_text=_("Kecamatan yang dipatroli."),
    )
    distance_km = models.DecimalField(
        _("jarak (km)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Kosong bila markas satuan, desa atau pelabuhannya belum berkoordinat."),
    )
    reason = models.JSONField(
        _("alasan"),
        default=dict,
        blank=True,
        help_text=_("Mengapa personel ini di sini: prioritas desa, jarak, kemampuan, desa binaan."),
    )

    class Meta:
        verbose_name = _("butir usulan")
        verbose_name_plural = _("butir usulan")
        ordering = ["proposal", "village_election", "officer"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "officer"], name="proposal_officer_once"),
            # The same shapes as a posting: a village for its duties, a kecamatan for a patrol,
            # no place for the reserve.
            models.CheckConstraint(
                condition=(
                    Q(duty__in=["village_guard", "ballot_escort", "boat_team", "close_escort"])
                    & Q(village_election__isnull=False)
                    & Q(kecamatan__isnull=True)
                )
                | (Q(duty="patrol") & Q(village_election__isnull=True) & Q(kecamatan__isnull=False))
                | (Q(duty="reserve") & Q(village_election__isnull=True) & Q(kecamatan__isnull=True)),
                name="proposal_item_duty_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} → {self.village_election or self.kecamatan or self.get_duty_display()}"

    @property
    def reason_text(self) -> str:
        """The stored reason in words: the village's priority, the travel, what decided it."""
        reason = self.reason or {}
        parts = []
        if reason.get("level") is not None:
            parts.append(
                _("%(level)s, peringkat %(rank)s")
                % {"level": RiskLevel(reason["level"]).label, "rank": reason.get("rank", "?")}
            )
        if reason.get("km") is not None:
            parts.append(_("%(km)s km") % {"km": reason["km"]})
        if reason.get("desa_binaan"):
            parts.append(_("Bhabinkamtibmas di desa binaan"))
        if reason.get("role") == "boat":
            parts.append(_("tim kapal ke desa lewat laut"))
        elif reason.get("capability") == "boat_crew":
            parts.append(_("awak kapal Polairud"))
        if reason.get("capability") == "brimob":
            parts.append(_("Brimob"))
        if reason.get("role") == "escort":
            parts.append(_("pam melekat calon"))
        if reason.get("role") == "patrol":
            parts.append(_("patroli: kebutuhan desa sudah terpenuhi"))
        if reason.get("role") == "reserve":
            parts.append(
                _("cadangan reaksi")
                if reason.get("reaction")
                else _("cadangan: tidak dibutuhkan desa atau patroli yang terjangkau")
            )
        return " · ".join(str(part) for part in parts)
