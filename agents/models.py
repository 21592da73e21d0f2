"""Office agents (a small box at an office that checks its camera and forwards the results),
their one-time enrolment codes, the records they sent and the warnings their chains raised."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kelurahan_monitor.secrets_field import EncryptedSecretField


class Agent(models.Model):
    """The box serving one office. While an agent that is not retired serves an office, the
    server does not reach the office's cameras itself: the agent's records fill the slots."""

    office = models.ForeignKey(
        "places.Office", on_delete=models.CASCADE, related_name="agents", verbose_name=_("kantor")
    )
    name = models.CharField(_("nama"), max_length=100, default="agen")
    # sha256 of the bearer token; the token itself is shown to the box once, at enrolment.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The batch signing key (HMAC): the box holds it, the server keeps it encrypted.
    signing_key = EncryptedSecretField(_("kunci tanda tangan"), blank=True, default="")
    enrolled_at = models.DateTimeField(_("terdaftar pada"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    # Back to "camera reached by the server": the office keeps its history.
    retired_at = models.DateTimeField(_("dihentikan pada"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("kontak terakhir"), null=True, blank=True)
    clock_offset_seconds = models.FloatField(_("selisih jam (detik)"), null=True, blank=True)
    queue_depth = models.PositiveIntegerField(_("antrean"), default=0)
    disk_used_bytes = models.BigIntegerField(_("disk terpakai (byte)"), default=0)
    version = models.CharField(_("versi"), max_length=40, blank=True)
    last_sequence = models.PositiveBigIntegerField(_("nomor urut terakhir"), default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("agen kantor")
        verbose_name_plural = _("agen kantor")
        ordering = ["office__code", "pk"]
        constraints = [
            # One serving agent per office at a time.
            models.UniqueConstraint(
                fields=["office"],
                condition=models.Q(retired_at__isnull=True),
                name="agent_one_serving_per_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} / {self.name}"


class EnrolmentCode(models.Model):
    """A one-time code Diskominfo hands to the installer: valid 24 h, used once."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("kedaluwarsa pada"))
    used_at = models.DateTimeField(_("dipakai pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("kode pendaftaran")
        verbose_name_plural = _("kode pendaftaran")

    def __str__(self) -> str:
        return f"{self.agent} {self.expires_at:%Y-%m-%d %H:%M}"


class AgentRecord(models.Model):
    """The receipt of one record of an agent's chain (its sequence number and hash), and the
    observation it filled. A record received again is recognised here and changes nothing."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="records")
    sequence = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    camera_id = models.BigIntegerField()
    slot = models.DateTimeField()
    # No database constraint: see compliance.SecurityEvent.observation (cameras 0014).
    observation = models.ForeignKey(
        "cameras.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    taken_at = models.DateTimeField(null=True, blank=True)  # on the server's timeline
    received_at = models.DateTimeField()
    refused = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "sequence"], name="agent_record_sequence"),
        ]
        indexes = [models.Index(fields=["agent", "camera_id", "slot"])]

    def __str__(self) -> str:
        return f"{self.agent_id} #{self.sequence}"


class AgentWarning(models.Model):
    """Tamper evidence or a lost record, shown on the office page and in the audit log."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="warnings")
    kind = models.CharField(_("jenis"), max_length=20)
    sequence = models.PositiveBigIntegerField(null=True, blank=True)
    detail = models.CharField(_("rincian"), max_length=300)
    created_at = models.DateTimeField(_("waktu"))

    class Meta:
        verbose_name = _("peringatan agen")
        verbose_name_plural = _("peringatan agen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agent} {self.kind} {self.detail}"
