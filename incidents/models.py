"""Incident posts: what the command centre tells residents (floods, jams, accidents, fires)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    FLOOD = "banjir", _("Banjir")
    TRAFFIC_JAM = "macet", _("Macet")
    ACCIDENT = "kecelakaan", _("Kecelakaan")
    FIRE = "kebakaran", _("Kebakaran")
    OTHER = "lainnya", _("Lainnya")


class Severity(models.TextChoices):
    LOW = "rendah", _("Rendah")
    MEDIUM = "sedang", _("Sedang")
    HIGH = "tinggi", _("Tinggi")


def _evidence_storage():
    from django.core.files.storage import storages

    return storages["evidence"]


class Incident(models.Model):
    """One post. Removing it keeps the row (removed_at) so the audit trail stays whole."""

    local_government = models.ForeignKey(
        "places.LocalGovernment",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("pemerintah daerah"),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=IncidentKind.choices)
    title = models.CharField(_("judul"), max_length=150)
    description = models.TextField(_("keterangan"), max_length=2000, blank=True)
    place = models.CharField(_("tempat"), max_length=200)
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    severity = models.CharField(
        _("tingkat"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    camera = models.ForeignKey(
        "cameras.Camera",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("kamera terkait"),
    )
    # A copy of the camera's public (fully blurred) still taken when the post was made: the
    # post keeps showing what was seen even after the camera's stills are purged.
    still = models.FileField(
        _("gambar kamera"), storage=_evidence_storage, upload_to="incidents/", blank=True
    )
    starts_at = models.DateTimeField(_("mulai"))
    expires_at = models.DateTimeField(_("berakhir"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)
    removed_at = models.DateTimeField(_("dihapus pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("kejadian")
        verbose_name_plural = _("kejadian")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("starts_at")), name="incident_expires_after_start"
            ),
        ]
        indexes = [models.Index(fields=["local_government", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
