"""Dashboard pages: parse the request, call one selector (or service), render a template."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cameras.models import Evidence
from complaints import selectors as complaint_selectors
from compliance import selectors, services
from compliance.domain import ranking
from compliance.models import VerdictStatus
from kelurahan_monitor import roles
from kelurahan_monitor.files import jpeg_response

MONTHS = (
    gettext_lazy("Jan"),
    gettext_lazy("Feb"),
    gettext_lazy("Mar"),
    gettext_lazy("Apr"),
    gettext_lazy("Mei"),
    gettext_lazy("Jun"),
    gettext_lazy("Jul"),
    gettext_lazy("Agu"),
    gettext_lazy("Sep"),
    gettext_lazy("Okt"),
    gettext_lazy("Nov"),
    gettext_lazy("Des"),
)
WEEKDAYS = (
    gettext_lazy("Sen"),
    gettext_lazy("Sel"),
    gettext_lazy("Rab"),
    gettext_lazy("Kam"),
    gettext_lazy("Jum"),
    gettext_lazy("Sab"),
    gettext_lazy("Min"),
)


def _require_dashboard_role(request: HttpRequest) -> None:
    if not selectors.can_view_dashboard(request.user):
        raise PermissionDenied(_("Akun ini belum memiliki akses ke dasbor."))


# Pages show days of this product's life: far enough either way for any real record, and
# far from date.min/date.max, where "the previous week" would overflow.
FIRST_SUPPORTED_DAY = date(2000, 1, 1)
LAST_SUPPORTED_DAY = date(2099, 12, 31)


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY else None


def _day_or_404(value: str) -> date:
    day = _parse_day(value)
    if day is None:
        raise Http404(_("Tanggal tidak dikenal."))
    return day


def _report_url(name: str, fallback: str, *kwarg_sets: dict[str, str]) -> str:
    """The reports app's URL when it is registered, else its agreed path under /laporan/."""
    for kwargs in kwarg_sets or ({},):
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return fallback


def report_links(day: date) -> dict[str, str]:
    """Download links for the day and its month (built by the reports app)."""
    iso, month = day.isoformat(), f"{day:%Y-%m}"
    by_day = ({"day": iso}, {"date": iso})
    by_month = ({"month": month},)
    return {
        "daily_xlsx": _report_url("reports:daily_xlsx", f"/laporan/harian/{iso}.xlsx", *by_day),
        "daily_csv": _report_url("reports:daily_csv", f"/laporan/harian/{iso}.csv", *by_day),
        "monthly_xlsx": _report_url(
            "reports:monthly_xlsx", f"/laporan/bulanan/{month}.xlsx", *by_month
        ),
        "monthly_csv": _report_url(
            "reports:monthly_csv", f"/laporan/bulanan/{month}.csv", *by_month
        ),
        "list": _report_url("reports:report_list", "/laporan/"),
    }


def _positive_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < len(value) < 10 else None


def _scope(request: HttpRequest) -> selectors.Scope:
    """`?kecamatan=` / `?pemerintah=` narrow a page (always within what the user sees)."""
    return selectors.Scope(
        kecamatan_id=_positive_int(request.GET.get("kecamatan")),
        government_id=_positive_int(request.GET.get("pemerintah")),
    )


def _scope_query(scope: selectors.Scope) -> str:
    """The scope as query parameters ("kecamatan=3&"), for links that keep it."""
    parts = []
    if scope.kecamatan_id is not None:
        parts.append(f"kecamatan={scope.kecamatan_id}&")
    if scope.government_id is not None:
        parts.append(f"pemerintah={scope.government_id}&")
    return "".join(parts)


def _board_context(request: HttpRequest, day: date) -> dict[str, Any]:
    scope = _scope(request)
    page = _positive_int(request.GET.get("halaman"))
    board = selectors.board_for_day(
        day,
        request.user,
        complaints_by_office=complaint_selectors.count_complaints_by_office(day, day),
        scope=scope,
        page=page,
    )
    today = timezone.localdate()
    day_url = (
        reverse("compliance:board")
        if day == today
        else reverse("compliance:day", kwargs={"day": day.isoformat()})
    )
    scope_query = _scope_query(scope)
    return {
        "nav": "board" if board.is_today else "",
        "board": board,
        "day": day,
        "today": today,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < today else None,
        "reports": report_links(day),
        "can_export": selectors.can_export(request.user),
        "week_start": day - timedelta(days=day.weekday()),
        "refresh_url": reverse("compliance:board_partial")
        + f"?{scope_query}tanggal={day.isoformat()}"
        + (f"&halaman={board.page.number}" if board.page else ""),
        # Links of the summarised board: drill down, pages (keeping the scope), back out.
        "day_url": day_url,
        "page_query": f"?{scope_query}halaman=",
        "scope": scope,
        # One reverse() for thousands of tiles: "/kantor/" + code + "/".
        "office_prefix": reverse("compliance:office", kwargs={"code": "-"})[:-2],
        "day_query": f"?tanggal={day.isoformat()}",
        "agent_silent_hours": settings.AGENT_SILENT_HOURS,
    }


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Today's board; `?tanggal=` (the date picker) redirects to that day's page."""
    _require_dashboard_role(request)
    if picked := _parse_day(request.GET.get("tanggal")):
        return redirect("compliance:day", day=picked.isoformat())
    return render(request, "compliance/board.html", _board_context(request, timezone.localdate()))


@login_required
@require_GET
def day_board(request: HttpRequest, day: str) -> HttpResponse:
    _require_dashboard_role(request)
    parsed = _day_or_404(day)
    if parsed > timezone.localdate():
        raise Http404(_("Tanggal ini belum terjadi."))
    return render(request, "compliance/board.html", _board_context(request, parsed))


@login_required
@require_GET
@never_cache
def board_partial(request: HttpRequest) -> HttpResponse:
    """The board body alone, for the htmx refresh every minute."""
    _require_dashboard_role(request)
    day = _parse_day(request.GET.get("tanggal")) or timezone.localdate()
    return render(request, "compliance/_board_partial.html", _board_context(request, day))


@login_required
@require_GET
def week(request: HttpRequest, day: str) -> HttpResponse:
    _require_dashboard_role(request)
    parsed = _day_or_404(day)
    first = parsed - timedelta(days=parsed.weekday())
    last = first + timedelta(days=6)
    scope = _scope(request)
    period = selectors.period_for_offices(
        first, last, request.user, scope, _positive_int(request.GET.get("halaman"))
    )
    return render(
        request,
        "compliance/week.html",
        {
            "base_url": request.path,
            "page_query": f"?{_scope_query(scope)}halaman=",
            "nav": "week",
            "today": timezone.localdate(),
            "period": period,
            "first": first,
            "last": last,
            "previous_week": first - timedelta(days=7),
            "next_week": first + timedelta(days=7)
            if first + timedelta(days=7) <= timezone.localdate()
            else None,
            "weekdays": WEEKDAYS,
            "statuses": _legend(),
        },
    )


@login_required
@require_GET
def month(request: HttpRequest, month: str) -> HttpResponse:
    _require_dashboard_role(request)
    first_or_none = _parse_day(f"{month}-01")
    if first_or_none is None:
        raise Http404(_("Bulan tidak dikenal."))
    first = first_or_none
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    scope = _scope(request)
    period = selectors.period_for_offices(
        first, last, request.user, scope, _positive_int(request.GET.get("halaman"))
    )
    rates = {day_rate.day: day_rate for day_rate in period.days}
    weeks = [
        [(cell, rates.get(cell.day)) for cell in week]
        for week in ranking.calendar_weeks(first, last, {})
    ]
    previous_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    return render(
        request,
        "compliance/month.html",
        {
            "base_url": request.path,
            "page_query": f"?{_scope_query(scope)}halaman=",
            "nav": "month",
            "today": timezone.localdate(),
            "period": period,
            "first": first,
            "last": last,
            "weeks": weeks,
            "weekdays": WEEKDAYS,
            "previous_month": previous_month,
            "next_month": next_month if next_month <= timezone.localdate() else None,
            "reports": report_links(first),
            "can_export": selectors.can_export(request.user),
        },
    )


@login_required
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    _require_dashboard_role(request)
    today = timezone.localdate()
    last = _parse_day(request.GET.get("sampai")) or today
    last = min(last, today)
    result = selectors.rankings(last, request.user, page=_positive_int(request.GET.get("halaman")))
    trend = selectors.city_trend(last, request.user)
    labels = [str(name) for name in MONTHS]
    charts = (
        ("chart-wide", ranking.plot_trend(trend, width=960, height=250, month_labels=labels)),
        ("chart-narrow", ranking.plot_trend(trend, width=360, height=220, month_labels=labels)),
    )
    return render(
        request,
        "compliance/rankings.html",
        {
            "nav": "rankings",
            "rankings": result,
            "charts": charts,
            "average_percent": charts[0][1].average_percent,
            "trend_first": trend[0].day,
            "trend_last": trend[-1].day,
            "ranking_days": selectors.RANKING_DAYS,
            "base_url": request.path,
            "page_query": f"?sampai={last.isoformat()}&halaman=",
            "trend_days": selectors.TREND_DAYS,
        },
    )


class OverrideForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status yang benar"), choices=VerdictStatus.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Alasan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        strip=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def office(request: HttpRequest, code: str) -> HttpResponse:
    """One office on one day (`?tanggal=`): timeline, evidence, verdict and its history."""
    _require_dashboard_role(request)
    found = selectors.office_for_user(code, request.user)
    if found is None:
        raise Http404(_("Kantor tidak ditemukan."))
    today = timezone.localdate()
    day = _parse_day(request.GET.get("tanggal")) or today
    day = min(day, today)
    form = None
    can_override = selectors.can_override_verdicts(request.user)
    if request.method == "POST":
        if not can_override:
            raise PermissionDenied
        verdict_id = selectors.verdict_id_for(found, day)
        if verdict_id is None:
            raise Http404(_("Belum ada putusan untuk tanggal ini."))
        form = OverrideForm(request.POST)
        if form.is_valid():
            services.override_verdict(
                verdict_id,
                form.cleaned_data["status"],
                form.cleaned_data["reason"],
                request.user.pk,
            )
            messages.success(request, _("Koreksi putusan disimpan."))
            return redirect(
                reverse("compliance:office", kwargs={"code": found.code})
                + f"?tanggal={day.isoformat()}"
            )
    page = selectors.office_page(found, day)
    if form is None and page.verdict is not None:
        form = OverrideForm(initial={"status": page.status})
    return render(
        request,
        "compliance/office.html",
        {
            "page": page,
            "complaints": complaint_selectors.recent_complaint_lines(found),
            "office": found,
            "day": day,
            "today": today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < today else None,
            "form": form if can_override else None,
            "weekdays": WEEKDAYS,
            "reports": report_links(day),
            "agent_silent_hours": settings.AGENT_SILENT_HOURS,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@require_GET
def evidence_image(request: HttpRequest, observation_id: int) -> FileResponse:
    """The blurred evidence JPEG of one observation for a staff role that may see its office.

    Anyone else gets 404 (not 403: the id says nothing). Every view is audited; proxies and
    browsers never cache it.
    """
    if not selectors.can_view_dashboard(request.user):
        raise Http404
    evidence = (
        Evidence.objects.filter(
            observation_id=observation_id,
            observation__camera__office__in=selectors.visible_offices(request.user),
        )
        .only("image")
        .first()
    )
    if evidence is None or not evidence.image:
        raise Http404
    roles.audit(request, "evidence", request.path)
    return jpeg_response(evidence.image, "private, no-store")


def _legend() -> list[tuple[str, str]]:
    return [(status.value, str(status.label)) for status in VerdictStatus]
