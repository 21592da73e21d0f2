"""Stored report files: one row per kind and date, replaced when the report is rebuilt."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A built report workbook kept under REPORTS_ROOT and served by a permission-checked view."""

    class Kind(models.TextChoices):
        MORNING = "morning", _("Laporan pagi")
        END_OF_DAY = "end_of_day", _("Laporan sore")
        MONTHLY = "monthly", _("Rekap bulanan")

    # Each government gets its own reports; empty only on rows built before that (whole
    # deployment), which only a superuser may see.
    local_government = models.ForeignKey(
        "places.LocalGovernment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("pemerintah daerah"),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("tanggal"), help_text=_("Untuk rekap bulanan: tanggal 1 bulan itu."))
    # Relative to settings.REPORTS_ROOT; never a public URL.
    file_path = models.CharField(_("berkas"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("ukuran (bita)"), default=0)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)
    emailed_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    recipients = models.JSONField(_("penerima"), default=list, blank=True)

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        ordering = ["-date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_government", "kind", "date"],
                name="report_unique_government_kind_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def filename(self) -> str:
        return self.file_path.rsplit("/", 1)[-1]
