"""Report pages and downloads: staff only; files leave through these views, never a public URL."""

import io
import tempfile
from collections.abc import Callable
from datetime import date
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
from django.views.decorators.http import require_GET

from kelurahan_monitor import roles
from reports import services
from reports.models import Report

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


@require_GET
@staff_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Stored reports with download links, and forms to export any day or month now."""
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if day := request.GET.get("tanggal"):
        try:
            return redirect(f"reports:daily_{fmt}", day=date.fromisoformat(day))
        except ValueError:
            pass
    if month := request.GET.get("bulan"):
        try:
            year, number = (int(part) for part in month.split("-"))
            return redirect(f"reports:monthly_{fmt}", month=(year, number))
        except ValueError:
            pass
    visible = Report.objects.filter(roles.visible_reports_filter(request.user))
    page = Paginator(
        visible.select_related("local_government").order_by("-date", "kind"), 40
    ).get_page(request.GET.get("hal"))
    today = timezone.localdate()
    return render(
        request,
        "reports/report_list.html",
        {
            "base_template": select_template(_BASE_TEMPLATES),
            "page": page,
            "today": today,
            "this_month": today.strftime("%Y-%m"),
            "nav": "reports",
        },
    )


@require_GET
@staff_required
def daily_xlsx(request: HttpRequest, day: date) -> FileResponse:
    content, _rows = services.daily_xlsx(
        day, government_code=roles.export_government_code(request.user)
    )
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=services.daily_filename(day, "xlsx"),
        content_type=services.XLSX_CONTENT_TYPE,
    )


@require_GET
@staff_required
def daily_csv(request: HttpRequest, day: date) -> StreamingHttpResponse:
    lines = services.daily_csv_lines(
        day, government_code=roles.export_government_code(request.user)
    )
    return _csv_response(lines, services.daily_filename(day, "csv"))


@require_GET
@staff_required
def monthly_xlsx(request: HttpRequest, month: tuple[int, int]) -> FileResponse:
    year, number = month
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
def monthly_csv(request: HttpRequest, month: tuple[int, int]) -> StreamingHttpResponse:
    year, number = month
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
