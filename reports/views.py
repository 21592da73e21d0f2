"""Report pages and downloads: staff only; files leave through these views, never a public URL."""

import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kelurahan_monitor import roles
from reports import services
from reports.models import Report
from reports.rows import ReportPeriodError, parse_report_day, parse_report_month

View = Callable[..., HttpResponseBase]

# base.html belongs to the site layout; until it exists the pages fall back to a minimal one.
_BASE_TEMPLATES = ["base.html", "reports/_base_fallback.html"]


def staff_required(view: View) -> View:
    """Anonymous users go to the login page; users whose role may not export get 403.

    Every export and download is written to the audit log.
    """

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not roles.can_export(request.user):
            raise PermissionDenied
        if view.__name__ != "report_list":
            roles.audit(request, "export", request.path)
        return view(request, *args, **kwargs)

    return wrapped


def _csv_response(lines: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=services.CSV_CONTENT_TYPE)
    disposition = content_disposition_header(True, filename)
    assert disposition is not None  # noqa: S101 - never None for an attachment
    response["Content-Disposition"] = disposition
    return response


def _period_message(error: ReportPeriodError, *, monthly: bool) -> str:
    if monthly and error.reason == "future":
        return _("Rekap bulan %(value)s belum bisa dibuat: bulan itu belum dimulai.") % {
            "value": error.value
        }
    if monthly:
        return _("Bulan %(value)s tidak ada. Tulis bulan sebagai TTTT-BB, mis. 2026-11.") % {
            "value": error.value
        }
    if error.reason == "future":
        return _("Laporan tanggal %(value)s belum bisa dibuat: tanggal itu belum terjadi.") % {
            "value": error.value
        }
    return _(
        "Tanggal %(value)s tidak ada di kalender. Tulis tanggal sebagai TTTT-BB-HH, "
        "mis. 2026-11-24."
    ) % {"value": error.value}


def _list_page(
    request: HttpRequest, *, refused: ReportPeriodError | None = None, monthly: bool = False
) -> HttpResponse:
    """The report list; with `refused`, the period asked for and why it has no report (400)."""
    visible = Report.objects.filter(roles.visible_reports_filter(request.user))
    page = Paginator(
        visible.select_related("local_government").order_by("-date", "kind"), 40
    ).get_page(request.GET.get("hal"))
    today = timezone.localdate()
    context: dict[str, Any] = {
        "base_template": select_template(_BASE_TEMPLATES),
        "page": page,
        "today": today,
        "this_month": today.strftime("%Y-%m"),
        "nav": "reports",
        "errors": [],
    }
    if refused is not None:
        message = _period_message(refused, monthly=monthly)
        field = "bulan" if monthly else "tanggal"
        context["errors"] = [(field, message)]
        context["error_month" if monthly else "error_day"] = message
    return render(
        request, "reports/report_list.html", context, status=400 if refused is not None else 200
    )


@require_GET
@staff_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Stored reports with download links, and forms to export any day or month now."""
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    today = timezone.localdate()
    try:
        if day := request.GET.get("tanggal"):
            return redirect(f"reports:daily_{fmt}", day=parse_report_day(day, today))
        if month := request.GET.get("bulan"):
            return redirect(f"reports:monthly_{fmt}", month=parse_report_month(month, today))
    except ReportPeriodError as refused:
        return _list_page(request, refused=refused, monthly="bulan" in request.GET)
    return _list_page(request)


@require_GET
@staff_required
def daily_xlsx(request: HttpRequest, day: str) -> HttpResponseBase:
    try:
        parsed = parse_report_day(day, timezone.localdate())
    except ReportPeriodError as refused:
        return _list_page(request, refused=refused)
    # Streamed to a temporary file and served from it: a province's workbook never sits in
    # memory whole.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    services.write_daily_xlsx(
        parsed, out, government_code=roles.export_government_code(request.user)
    )
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=services.daily_filename(parsed, "xlsx"),
        content_type=services.XLSX_CONTENT_TYPE,
    )


@require_GET
@staff_required
def daily_csv(request: HttpRequest, day: str) -> HttpResponseBase:
    try:
        parsed = parse_report_day(day, timezone.localdate())
    except ReportPeriodError as refused:
        return _list_page(request, refused=refused)
    lines = services.daily_csv_lines(
        parsed, government_code=roles.export_government_code(request.user)
    )
    return _csv_response(lines, services.daily_filename(parsed, "csv"))


@require_GET
@staff_required
def monthly_xlsx(request: HttpRequest, month: str) -> HttpResponseBase:
    try:
        year, number = parse_report_month(month, timezone.localdate())
    except ReportPeriodError as refused:
        return _list_page(request, refused=refused, monthly=True)
    # Write-only workbooks go through a temporary file; FileResponse closes (and so deletes) it.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    services.write_monthly_xlsx(
        year, number, out, government_code=roles.export_government_code(request.user)
    )
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=services.monthly_filename(year, number, "xlsx"),
        content_type=services.XLSX_CONTENT_TYPE,
    )


@require_GET
@staff_required
def monthly_csv(request: HttpRequest, month: str) -> HttpResponseBase:
    try:
        year, number = parse_report_month(month, timezone.localdate())
    except ReportPeriodError as refused:
        return _list_page(request, refused=refused, monthly=True)
    return _csv_response(
        services.monthly_csv_lines(
            year, number, government_code=roles.export_government_code(request.user)
        ),
        services.monthly_filename(year, number, "csv"),
    )


@require_GET
@staff_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(
        Report.objects.filter(roles.visible_reports_filter(request.user)), pk=pk
    )
    try:
        path = services.report_path(report)
        handle = path.open("rb")
    except (ValueError, OSError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=report.filename,
        content_type=services.XLSX_CONTENT_TYPE,
    )
