"""Who and where: governments, kecamatan, offices, their hours and calendars, staff, the audit log.

Every other app reads these; this app reads none of them.
"""

from datetime import time as datetime_time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LocalGovernment(models.Model):
    class Kind(models.TextChoices):
        KOTA = "kota", _("Kota")
        KABUPATEN = "kabupaten", _("Kabupaten")

    code = models.CharField(_("kode Kemendagri"), max_length=5, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    # Indonesia spans WIB, WITA and WIT: every schedule is computed in the government's own zone.
    time_zone = models.CharField(_("zona waktu"), max_length=64, default="Asia/Makassar")
    report_emails = models.CharField(
        _("e-mail penerima laporan"),
        max_length=500,
        blank=True,
        help_text=_("Dipisahkan koma; kosong: penerima bawaan (REPORT_RECIPIENTS)."),
    )
    # The short morning message to the mayor's office (e-mail and webhook), in local time.
    morning_summary_at = models.TimeField(
        _("jam ringkasan pagi"),
        default=datetime_time(8, 0),
        help_text=_("Waktu setempat; ringkasan papan dikirim sekali sehari mulai jam ini."),
    )

    class Meta:
        verbose_name = _("pemerintah daerah")
        verbose_name_plural = _("pemerintah daerah")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class Kecamatan(models.Model):
    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.PROTECT,
        related_name="kecamatan",
        verbose_name=_("pemerintah daerah"),
    )
    code = models.CharField(_("kode Kemendagri"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """One kelurahan office; its Kemendagri code is the natural key."""

    code = models.CharField(_("kode wilayah"), max_length=13, unique=True)
    name = models.CharField(_("nama kelurahan"), max_length=100)
    alternative_name = models.CharField(
        _("ejaan lain (BPS)"), max_length=100, blank=True, help_text=_("Untuk mencocokkan data")
    )
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="offices", verbose_name=_("kecamatan")
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    active = models.BooleanField(_("aktif"), default=True)
    # Check policy (see compliance.domain.types.CheckPolicy); the defaults suit most offices.
    opening_interval_minutes = models.PositiveSmallIntegerField(
        _("interval cek jendela buka (menit)"), default=5
    )
    open_checks_needed = models.PositiveSmallIntegerField(
        _("cek berturut-turut untuk dianggap buka"), default=2
    )
    coverage_threshold = models.FloatField(_("ambang cakupan data"), default=0.6)
    after_hours_checks = models.BooleanField(_("cek keamanan di luar jam kerja"), default=False)
    night_checks = models.BooleanField(_("cek malam"), default=False)
    alert_emails = models.CharField(
        _("e-mail peringatan (camat)"),
        max_length=500,
        blank=True,
        help_text=_("Dipisahkan koma; menerima peringatan kantor belum buka."),
    )

    class Meta:
        verbose_name = _("kantor kelurahan")
        verbose_name_plural = _("kantor kelurahan")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OpeningHours(models.Model):
    """Hours for one weekday: an office's own row, or (office empty) the government default.

    A weekday with no row at either level is a non-working day.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Senin")
        TUESDAY = 1, _("Selasa")
        WEDNESDAY = 2, _("Rabu")
        THURSDAY = 3, _("Kamis")
        FRIDAY = 4, _("Jumat")
        SATURDAY = 5, _("Sabtu")
        SUNDAY = 6, _("Minggu")

    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.CASCADE,
        related_name="opening_hours",
        verbose_name=_("pemerintah daerah"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opening_hours",
        verbose_name=_("kantor"),
        help_text=_("Kosongkan untuk jam kerja bawaan seluruh kota/kabupaten."),
    )
    weekday = models.PositiveSmallIntegerField(_("hari"), choices=Weekday.choices)
    opens_at = models.TimeField(_("jam buka"))
    closes_at = models.TimeField(_("jam tutup"))
    grace_minutes = models.PositiveSmallIntegerField(_("toleransi (menit)"), default=15)
    min_staff = models.PositiveSmallIntegerField(_("minimal petugas hadir"), default=1)

    class Meta:
        verbose_name = _("jam kerja")
        verbose_name_plural = _("jam kerja")
        ordering = ["local_government", "office", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "weekday"],
                condition=Q(office__isnull=False),
                name="opening_hours_unique_office_weekday",
            ),
            models.UniqueConstraint(
                fields=["local_government", "weekday"],
                condition=Q(office__isnull=True),
                name="opening_hours_unique_default_weekday",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="opening_hours_close_after_open"
            ),
            models.CheckConstraint(
                condition=Q(min_staff__gte=1), name="opening_hours_min_staff_positive"
            ),
        ]

    def __str__(self) -> str:
        office = self.office if self.office_id else None
        who = office.name if office is not None else _("bawaan")
        return f"{who} {self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class SpecialPeriod(models.Model):
    """A span of dates with other hours (Ramadan) or flexible work (WFA) for a government."""

    class Kind(models.TextChoices):
        RAMADAN_HOURS = "ramadan_hours", _("Jam kerja Ramadan")
        FLEXIBLE_WORK = "flexible_work", _("Kerja fleksibel (WFA/WFH)")

    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.CASCADE,
        related_name="special_periods",
        verbose_name=_("pemerintah daerah"),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=200)
    date_from = models.DateField(_("dari tanggal"))
    date_to = models.DateField(_("sampai tanggal"))
    source = models.CharField(_("dasar hukum"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("periode khusus")
        verbose_name_plural = _("periode khusus")
        ordering = ["date_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_government", "kind", "date_from"],
                name="special_period_unique_start",
            ),
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="special_period_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date_from}–{self.date_to})"


class SpecialPeriodHours(models.Model):
    """Hours that replace the normal ones on one weekday during a special period."""

    period = models.ForeignKey(
        SpecialPeriod, on_delete=models.CASCADE, related_name="hours", verbose_name=_("periode")
    )
    weekday = models.PositiveSmallIntegerField(_("hari"), choices=OpeningHours.Weekday.choices)
    opens_at = models.TimeField(_("jam buka"))
    closes_at = models.TimeField(_("jam tutup"))

    class Meta:
        verbose_name = _("jam kerja periode khusus")
        verbose_name_plural = _("jam kerja periode khusus")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "weekday"], name="special_period_hours_unique_weekday"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="special_period_hours_close_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Holiday(models.Model):
    """A day off: national and cuti bersama for everyone, local for one government."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Libur nasional")
        CUTI_BERSAMA = "cuti_bersama", _("Cuti bersama")
        LOCAL = "local", _("Libur daerah")

    date = models.DateField(_("tanggal"))
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("pemerintah daerah"),
        help_text=_("Hanya untuk libur daerah; kosong berarti berlaku nasional."),
    )

    class Meta:
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(local_government__isnull=True),
                name="holiday_unique_national_date",
            ),
            models.UniqueConstraint(
                fields=["date", "local_government"],
                condition=Q(local_government__isnull=False),
                name="holiday_unique_local_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="local", local_government__isnull=False)
                | (~Q(kind="local") & Q(local_government__isnull=True)),
                name="holiday_local_needs_government",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Excuse(models.Model):
    """Staff-approved reason an office is not judged on some days (e.g. renovation, disaster)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="excuses", verbose_name=_("kantor")
    )
    date_from = models.DateField(_("dari tanggal"))
    date_to = models.DateField(_("sampai tanggal"))
    reason = models.TextField(_("alasan"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("pengecualian")
        verbose_name_plural = _("pengecualian")
        ordering = ["-date_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="excuse_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office.name} {self.date_from}–{self.date_to}"


class StaffProfile(models.Model):
    """Where a user works: their local government and, for a camat, their kecamatan.

    Roles themselves are Django groups (see kelurahan_monitor.roles); this row scopes them.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("pengguna"),
    )
    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("pemerintah daerah"),
    )
    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("kecamatan (untuk camat)"),
    )

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")

    def __str__(self) -> str:
        return f"{self.user} ({self.local_government})"


class AuditLogEntry(models.Model):
    """Who looked at evidence, exported data or changed a record, when, and for which government.

    The government is the one whose data the entry is about (else the actor's own); entries
    without one (a superuser's, before it was recorded and not derivable) only superusers read.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("pengguna"),
    )
    local_government = models.ForeignKey(
        LocalGovernment,
        # Deleting a government is a superuser's act; its audit trail stays (for superusers).
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_log_entries",
        verbose_name=_("pemerintah daerah"),
    )
    action = models.CharField(_("tindakan"), max_length=50)
    target = models.CharField(_("sasaran"), max_length=255)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("log audit")
        verbose_name_plural = _("log audit")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.target}"
