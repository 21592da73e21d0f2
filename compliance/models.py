"""The daily verdicts about offices, the audit of their corrections, security events, alerts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Office
from places.vocabulary import VerdictStatus as V
from places.words import verdict_word


class VerdictStatus(models.TextChoices):
    """The vocabulary's verdict statuses (places.vocabulary) as model choices, same order and
    the vocabulary's words (tests/places/test_vocabulary.py checks both)."""

    ON_TIME = V.ON_TIME.value, verdict_word(V.ON_TIME)
    LATE = V.LATE.value, verdict_word(V.LATE)
    NOT_OPENED = V.NOT_OPENED.value, verdict_word(V.NOT_OPENED)
    NO_DATA = V.NO_DATA.value, verdict_word(V.NO_DATA)
    CLOSED_EARLY = V.CLOSED_EARLY.value, verdict_word(V.CLOSED_EARLY)
    HOLIDAY = V.HOLIDAY.value, verdict_word(V.HOLIDAY)
    NON_WORKING_DAY = V.NON_WORKING_DAY.value, verdict_word(V.NON_WORKING_DAY)
    EXCUSED = V.EXCUSED.value, verdict_word(V.EXCUSED)


# What the engine computes for a verdict: the batch upsert rewrites these and nothing else (a
# staff override is never among them); the admin and the API show them read-only.
VERDICT_COMPUTED_FIELDS = (
    "status",
    "is_final",
    "scheduled_open",
    "opened_at",
    "minutes_late",
    "coverage",
    "first_arrival",
    "staffed_share",
    "evidence_observation_ids",
    "reason",
    "computed_at",
)


class DailyVerdict(models.Model):
    """What the cameras say about one office on one day (its date in the office's zone)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("kantor")
    )
    date = models.DateField(_("tanggal"))
    status = models.CharField(_("status"), max_length=20, choices=VerdictStatus.choices)
    is_final = models.BooleanField(_("final"), default=False)
    scheduled_open = models.DateTimeField(_("jadwal buka"), null=True, blank=True)
    opened_at = models.DateTimeField(_("buka pada"), null=True, blank=True)
    minutes_late = models.PositiveIntegerField(_("menit terlambat"), null=True, blank=True)
    coverage = models.FloatField(_("cakupan data"), default=0.0)
    first_arrival = models.DateTimeField(_("kedatangan pertama"), null=True, blank=True)
    staffed_share = models.FloatField(_("porsi waktu ada petugas"), null=True, blank=True)
    evidence_observation_ids = models.JSONField(_("observasi bukti"), default=list, blank=True)
    reason = models.CharField(_("keterangan"), max_length=255, blank=True)
    computed_at = models.DateTimeField(_("dihitung pada"), auto_now=True)
    # A staff decision beats the computed one; both are kept.
    override_status = models.CharField(
        _("status koreksi"), max_length=20, choices=VerdictStatus.choices, blank=True
    )
    override_reason = models.TextField(_("alasan koreksi"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dikoreksi oleh"),
    )
    overridden_at = models.DateTimeField(_("dikoreksi pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("putusan harian")
        verbose_name_plural = _("putusan harian")
        ordering = ["-date", "office__code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="verdict_unique_office_date"),
            models.CheckConstraint(
                condition=Q(override_status="") | ~Q(override_reason=""),
                name="verdict_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(coverage__gte=0) & Q(coverage__lte=1), name="verdict_coverage_ratio"
            ),
        ]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.office.name} {self.date:%Y-%m-%d} {self.get_status_display()}"

    @property
    def effective_status(self) -> str:
        return self.override_status or self.status


class VerdictChange(models.Model):
    """Audit trail of staff confirmations and overrides of a verdict."""

    verdict = models.ForeignKey(
        DailyVerdict, on_delete=models.CASCADE, related_name="changes", verbose_name=_("putusan")
    )
    previous_status = models.CharField(_("status sebelumnya"), max_length=20, blank=True)
    new_status = models.CharField(_("status baru"), max_length=20)
    reason = models.TextField(_("alasan"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    changed_at = models.DateTimeField(_("diubah pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat koreksi putusan")
        verbose_name_plural = _("riwayat koreksi putusan")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.verdict} {self.previous_status}→{self.new_status}"


class SecurityEvent(models.Model):
    """People seen while the office is closed (after hours, holidays, weekends)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="security_events", verbose_name=_("kantor")
    )
    # No database constraint: observations are partitioned by office day on PostgreSQL, and a
    # foreign key cannot point at the id alone there (cameras 0014). Deletes still cascade
    # through the ORM.
    observation = models.OneToOneField(
        "cameras.Observation",
        on_delete=models.CASCADE,
        related_name="security_event",
        verbose_name=_("observasi"),
        db_constraint=False,
    )
    occurred_at = models.DateTimeField(_("waktu"))
    people = models.PositiveSmallIntegerField(_("jumlah orang"))
    reviewed = models.BooleanField(_("sudah ditinjau"), default=False)

    class Meta:
        verbose_name = _("kejadian keamanan")
        verbose_name_plural = _("kejadian keamanan")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.office.name} {self.occurred_at:%Y-%m-%d %H:%M} ({self.people})"


class Alert(models.Model):
    """One alert sent; the key makes each alert go out once (office+date+kind, camera outage,
    an agent's silence: agent + its last contact)."""

    class Kind(models.TextChoices):
        NOT_OPEN = "not_open", _("Kantor belum buka")
        CAMERA_DOWN = "camera_down", _("Kamera mati")
        AFTER_HOURS = "after_hours", _("Ada orang di luar jam kerja")
        AGENT_SILENT = "agent_silent", _("Agen kantor tidak menghubungi server")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("kantor")
    )
    message = models.TextField(_("pesan"))
    recipients = models.JSONField(_("penerima"), default=list)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    delivery_error = models.CharField(_("galat pengiriman"), max_length=500, blank=True)
    # The outbox claim: when the tick last handed the alert to delivery, and how often.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("peringatan")
        verbose_name_plural = _("peringatan")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="alert_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.office.name}"


class TickCursor(models.Model):
    """How far the compliance tick has pulled new camera facts (one row per cursor).

    The tick moves it with a conditional UPDATE (from the value it read), so two ticks running
    at once never both take the same stretch of facts.
    """

    name = models.CharField(max_length=50, primary_key=True)
    facts_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.facts_until:%Y-%m-%d %H:%M:%S}"


class MorningSummary(models.Model):
    """The morning summary of one government on one local date: the row claims it (created
    once, so a beat that runs twice sends it once) and records what was sent."""

    local_government = models.ForeignKey(
        "places.LocalGovernment",
        on_delete=models.CASCADE,
        related_name="morning_summaries",
        verbose_name=_("pemerintah daerah"),
    )
    date = models.DateField(_("tanggal"))
    message = models.TextField(_("pesan"), blank=True)
    recipients = models.JSONField(_("penerima"), default=list)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    delivery_error = models.CharField(_("galat pengiriman"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("ringkasan pagi")
        verbose_name_plural = _("ringkasan pagi")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_government", "date"], name="one_morning_summary_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_government} {self.date:%Y-%m-%d}"


class VerdictFinalisation(models.Model):
    """How far the final verdicts of one local date have been written: the cursor of the
    nightly run, which works through the offices by id in batches and may be stopped and
    resumed at any point. `finished_at` is set once every active office's day is final."""

    date = models.DateField(_("tanggal"), unique=True)
    # Every active office with an id up to this one has its final verdict of `date`.
    after_office_id = models.PositiveBigIntegerField(default=0)
    offices_final = models.PositiveIntegerField(_("kantor final"), default=0)
    batches = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(_("mulai"))
    updated_at = models.DateTimeField(_("diperbarui"))
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("finalisasi putusan")
        verbose_name_plural = _("finalisasi putusan")
        ordering = ["-date"]

    def __str__(self) -> str:
        state = "final" if self.finished_at else f"{self.offices_final}"
        return f"{self.date:%Y-%m-%d} {state}"
