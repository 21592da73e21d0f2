from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kelurahan_monitor.admin_scoping import GovernmentScopeMixin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    list_display = ("date", "kind", "download", "updated_at", "emailed_at")
    list_filter = ("kind",)
    date_hierarchy = "date"
    readonly_fields = (
        "kind",
        "date",
        "file_path",
        "size_bytes",
        "created_at",
        "updated_at",
        "emailed_at",
        "recipients",
    )

    @admin.display(description=_("berkas"))
    def download(self, obj: Report) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("reports:report_download", args=[obj.pk]), obj.filename
        )

    def has_add_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        # Reports are built by the scheduled tasks or `export_report`, not typed in.
        return False
