from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    REPORT_SUBMITTED = "report.submitted", _("Laporan diajukan")
    REPORT_VERIFIED = "report.verified", _("Laporan diverifikasi")
    REPORT_RETURNED = "report.returned", _("Laporan dikembalikan")
    LEVEL_CHANGED = "level.changed", _("Tingkat kerawanan desa berubah")
    PROPOSAL_APPLIED = "proposal.applied", _("Usulan penugasan diterapkan")
    ASSIGNMENT_CREATED = "assignment.created", _("Penugasan dibuat")
    ASSIGNMENT_REMOVED = "assignment.removed", _("Penugasan dilepas")


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    secret = models.CharField(
        _("rahasia"),
        max_length=128,
        help_text=_("Kunci HMAC-SHA256; penerima memakainya untuk memeriksa tanda tangan."),
    )
    event_types = models.JSONField(
        _("jenis peristiwa"),
        default=list,
        blank=True,
        help_text=_("Daftar jenis peristiwa; kosong berarti semua."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("endpoint webhook")
        verbose_name_plural = _("endpoint webhook")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookEvent(models.Model):
    """The outbox: written in the transaction of the change it tells about."""

    type = models.CharField(_("jenis"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("isi"))
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("peristiwa webhook")
        verbose_name_plural = _("peristiwa webhook")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        DELIVERED = "delivered", _("Terkirim")
        FAILED = "failed", _("Gagal (berhenti mencoba)")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"))
    last_attempt_at = models.DateTimeField(_("percobaan terakhir"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("kode HTTP terakhir"), null=True, blank=True)
    last_error = models.CharField(_("kesalahan terakhir"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    class Meta:
        verbose_name = _("pengiriman webhook")
        verbose_name_plural = _("pengiriman webhook")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"
