from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One piece of long work a user started and watches: its progress outlives a page reload
    and its error report outlives the worker."""

    class Kind(models.TextChoices):
        ROSTER_IMPORT = "roster_import", _("Impor personel")
        REGIONS_IMPORT = "regions_import", _("Impor kode wilayah")
        BOUNDARIES_IMPORT = "boundaries_import", _("Impor batas wilayah")
        RANKING_EXPORT = "ranking_export", _("Unduhan peringkat")
        ORDER_EXPORT = "order_export", _("Unduhan lampiran Sprin")
        PROPOSAL_CREATE = "proposal_create", _("Usulan alokasi")

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu giliran")
        RUNNING = "running", _("Berjalan")
        SUCCEEDED = "succeeded", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=32, choices=Kind.choices)
    # The function that does the work ("operations.jobs.roster_import_run"): written by the code
    # that starts the job, never taken from a request.
    runner = models.CharField(max_length=200, editable=False)
    state = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.QUEUED)
    source_name = models.CharField(_("berkas"), max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True, editable=False)
    # The uploaded file, in the database so that any server's worker can read it; emptied when
    # the job ends (rosters hold phone numbers).
    input_data = models.BinaryField(default=b"", editable=False)
    # The file an export made, in the database as the input is (any server serves it); its name
    # and type are in ``result``. Read only by the download views (jobs.downloads).
    output_data = models.BinaryField(default=b"", editable=False)
    rows_total = models.PositiveIntegerField(_("jumlah baris"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("baris terbaca"), default=0)
    error_count = models.PositiveIntegerField(_("kesalahan"), default=0)
    error_report = models.JSONField(_("laporan kesalahan"), default=list, blank=True)
    summary = models.CharField(_("hasil"), max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    # Written while the job runs by a thread of its worker on its own connection (the work itself
    # is one open transaction): a beat older than PILKADES_JOB_STALE_SECONDS means the worker died.
    heartbeat_at = models.DateTimeField(_("detak terakhir"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("pekerjaan latar belakang")
        verbose_name_plural = _("pekerjaan latar belakang")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="job_creator_recent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "succeeded", "failed"]),
                name="job_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(finished_at__isnull=True) | models.Q(state__in=["succeeded", "failed"]),
                name="job_finished_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"

    @property
    def is_done(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
