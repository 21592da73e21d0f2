"""Citizen complaints about office openings and their audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintKind(models.TextChoices):
    CLOSED = "closed", _("Kantor tutup")
    NO_STAFF = "no_staff", _("Tidak ada petugas")
    OPENED_LATE = "opened_late", _("Buka terlambat")
    OTHER = "other", _("Lainnya")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    VERIFIED = "verified", _("Diverifikasi")
    FORWARDED = "forwarded", _("Diteruskan ke kantor")
    ANSWERED = "answered", _("Dijawab")
    CLOSED = "closed", _("Selesai")


class VerificationResult(models.TextChoices):
    PENDING = "pending", _("Belum dicek")
    CORROBORATED = "corroborated", _("Didukung kamera")
    CONTRADICTED = "contradicted", _("Bertentangan dengan kamera")
    UNVERIFIABLE = "unverifiable", _("Tidak dapat dicek (tanpa data kamera)")


class ComplaintSource(models.TextChoices):
    WEB = "web", _("Formulir web")
    OPEN311 = "open311", _("Open311")


class Complaint(models.Model):
    """One complaint. Contact fields are for staff only and never rendered publicly."""

    tracking_code = models.CharField(_("kode lacak"), max_length=16, unique=True)
    office = models.ForeignKey(
        "places.Office",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("kantor"),
    )
    visited_at = models.DateTimeField(_("waktu kunjungan"))
    kind = models.CharField(_("kejadian"), max_length=20, choices=ComplaintKind.choices)
    description = models.TextField(_("uraian"))
    # Re-encoded JPEG without metadata, on the default storage under a non-public path.
    photo = models.FileField(_("foto"), upload_to="complaints/private/%Y/%m/", blank=True)
    contact_phone = models.CharField(_("telepon"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    # Salted hashes for rate limits and duplicate detection (raw IP is never stored).
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    verification = models.CharField(
        _("hasil pengecekan kamera"),
        max_length=20,
        choices=VerificationResult.choices,
        default=VerificationResult.PENDING,
    )
    verification_checked_at = models.DateTimeField(_("dicek pada"), null=True, blank=True)
    evidence_observation_ids = models.JSONField(_("observasi bukti"), default=list, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("ditangani oleh"),
    )
    answer = models.TextField(_("jawaban"), blank=True)
    forwarded_at = models.DateTimeField(_("diteruskan pada"), null=True, blank=True)
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    citizen_replied_at = models.DateTimeField(_("warga menanggapi pada"), null=True, blank=True)
    received_on = models.DateField(_("tanggal diterima"))
    forward_due = models.DateField(_("batas diteruskan"))
    answer_due = models.DateField(_("batas dijawab"))
    close_due = models.DateField(_("ditutup otomatis pada"), null=True, blank=True)
    source = models.CharField(
        _("sumber"), max_length=10, choices=ComplaintSource.choices, default=ComplaintSource.WEB
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "answer_due"]),
            models.Index(fields=["office", "visited_at"]),
            models.Index(fields=["received_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.office.name}"

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.CLOSED


class ComplaintEvent(models.Model):
    """Audit trail: who changed what, and when. Public events are shown on the status page."""

    class Action(models.TextChoices):
        CREATED = "created", _("Pengaduan diterima")
        CHECKED = "checked", _("Dicek terhadap kamera")
        STATUS = "status", _("Status diubah")
        ASSIGNED = "assigned", _("Penanganan ditugaskan")
        FORWARDED = "forwarded", _("Diteruskan ke camat")
        ANSWERED = "answered", _("Dijawab")
        CITIZEN_REPLY = "citizen_reply", _("Tanggapan warga")
        AUTO_CLOSED = "auto_closed", _("Ditutup otomatis")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("pengaduan")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
    )
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("status sebelumnya"), max_length=20, blank=True)
    to_status = models.CharField(_("status baru"), max_length=20, blank=True)
    details = models.JSONField(_("rincian"), default=dict, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat pengaduan")
        verbose_name_plural = _("riwayat pengaduan")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint.tracking_code} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def to_status_label(self) -> str:
        return str(ComplaintStatus(self.to_status).label) if self.to_status else ""
