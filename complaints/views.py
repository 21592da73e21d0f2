"""Complaint pages: public form, status and transparency pages; staff triage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from complaints import selectors, services
from complaints.forms import (
    AnswerForm,
    AssignForm,
    ComplaintForm,
    ReplyForm,
    request_too_large,
)
from complaints.models import Complaint, ComplaintSource, ComplaintStatus, VerificationResult
from compliance.selectors import zone_label
from kelurahan_monitor.roles import audit, client_ip
from places.models import Kecamatan


def _form_page(
    request: HttpRequest, form: ComplaintForm, status: int = 200, error: str = ""
) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:60]
    groups = selectors.offices_for_form()
    if query:
        needle = query.casefold()
        groups = [
            (kecamatan, offices)
            if needle in kecamatan.casefold()
            else (kecamatan, [o for o in offices if needle in o[1].casefold()])
            for kecamatan, offices in groups
        ]
        groups = [(kecamatan, offices) for kecamatan, offices in groups if offices]
    selected = form.data.get("office", "") if form.is_bound else ""
    return render(
        request,
        "complaints/form.html",
        {
            "form": form,
            "office_groups": groups,
            "selected_office": selected,
            "query": query,
            "error": error,
            "today": timezone.localdate().isoformat(),
            "min_day": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "zone": selectors.form_zone_label(),
            "status_by_phone": bool(settings.COMPLAINT_WEBHOOK_URL),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_form(request: HttpRequest) -> HttpResponse:
    """The public complaint form; a valid complaint redirects to its status page."""
    now = timezone.now()
    if request.method == "GET":
        return _form_page(request, ComplaintForm(now=now, zone=selectors.form_zone_label()))
    if request_too_large(request.META):
        return _form_page(
            request,
            ComplaintForm(now=now, zone=selectors.form_zone_label()),
            status=413,
            error=_("Kiriman terlalu besar. Foto maksimal 5 MB."),
        )
    form = ComplaintForm(request.POST, request.FILES, now=now, zone=selectors.form_zone_label())
    if form.honeypot_filled:
        return _form_page(
            request,
            ComplaintForm(now=now, zone=selectors.form_zone_label()),
            status=400,
            error=_("Pengaduan tidak dapat diproses. Muat ulang halaman lalu coba lagi."),
        )
    if not form.is_valid():
        return _form_page(
            request, form, status=400, error=_("Periksa kembali isian yang ditandai.")
        )
    data = form.cleaned_data
    try:
        complaint = services.submit_complaint(
            services.ComplaintInput(
                office=data["office"],
                visited_at=data["visited_at"],
                kind=data["kind"],
                description=data["description"],
                photo_jpeg=form.photo_jpeg,
                phone=data["phone"],
                email=data["email"],
                source=ComplaintSource.WEB,
                ip=client_ip(request) or "",
            ),
            now,
        )
    except services.SubmissionRejected as rejected:
        return _form_page(request, form, status=rejected.status, error=rejected.message)
    messages.success(request, _("Pengaduan Anda sudah kami terima. Simpan kode lacak ini."))
    return redirect("complaints:status", code=complaint.tracking_code)


@never_cache
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest, code: str) -> HttpResponse:
    """The public status of one complaint: what happened, status history, the staff answer."""
    code = services.normalise_tracking_code(code)
    status = selectors.public_status(code)
    if status is None:
        raise Http404(_("Kode lacak tidak ditemukan."))
    form = ReplyForm()
    response_status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid() and status.can_reply:
            try:
                services.record_citizen_reply(code, form.cleaned_data["reply"], timezone.now())
            except services.ActionRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("Tanggapan Anda sudah diteruskan kembali ke kantor."))
            return redirect("complaints:status", code=code)
        response_status = 400
    return render(
        request,
        "complaints/status.html",
        {
            "status": status,
            "form": form,
            "steps": ComplaintStatus.choices,
            "zone": zone_label(),
        },
        status=response_status,
    )


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    code = services.normalise_tracking_code(request.GET.get("kode", ""))
    if code and selectors.public_status(code) is not None:
        return redirect("complaints:status", code=code)
    return render(
        request,
        "complaints/track.html",
        {"code": code, "not_found": bool(code)},
        status=404 if code else 200,
    )


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    data = selectors.transparency(timezone.localdate())
    return render(request, "complaints/transparency.html", {"data": data})


# --- Staff ----------------------------------------------------------------------------------


def _government_of(complaint: Complaint) -> int:
    return complaint.office.kecamatan.local_government_id


def _require_triage(request: HttpRequest) -> None:
    if not selectors.can_triage(request.user):
        raise PermissionDenied(_("Akun ini tidak dapat menangani pengaduan."))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_triage(request)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    verification = request.GET.get("verifikasi", "")
    status = status if status in ComplaintStatus.values else ""
    verification = verification if verification in VerificationResult.values else ""
    kecamatan_id = _int_or_none(request.GET.get("kecamatan"))
    overdue_only = request.GET.get("terlambat") == "1"
    rows = selectors.staff_list(
        request.user,
        today,
        status=status,
        kecamatan_id=kecamatan_id,
        verification=verification,
        overdue_only=overdue_only,
    )
    return render(
        request,
        "complaints/staff_list.html",
        {
            "nav": "complaints",
            "rows": rows,
            "statuses": ComplaintStatus.choices,
            "verifications": VerificationResult.choices,
            "kecamatan": Kecamatan.objects.filter(
                pk__in=selectors.complaints_for_user(request.user).values("office__kecamatan")
            ).order_by("name"),
            "filters": {
                "status": status,
                "verification": verification,
                "kecamatan": kecamatan_id,
                "overdue": overdue_only,
            },
            "overdue_count": sum(1 for row in rows if row.overdue),
            "zone": zone_label(),
        },
    )


@dataclass
class _StaffAction:
    """One staff action on a complaint; `forms` are the forms the page shows (bound on error)."""

    request: HttpRequest
    complaint: Complaint
    users: Any
    now: datetime
    forms: dict[str, Any]

    @property
    def user_id(self) -> int:
        return cast(int, self.request.user.pk)


def _assign(action: _StaffAction) -> None:
    form = AssignForm(action.request.POST, users=action.users)
    action.forms["assign_form"] = form
    if not form.is_valid():
        raise services.ActionRefused(_("Petugas tidak dikenal."))
    assignee = form.cleaned_data["assignee"]
    services.assign_complaint(action.complaint, assignee.pk if assignee else None, action.user_id)


def _verify(action: _StaffAction) -> None:
    services.mark_verified(action.complaint, action.user_id)


def _recheck(action: _StaffAction) -> None:
    services.verify_complaint(action.complaint.pk, action.now)


def _forward(action: _StaffAction) -> None:
    url = action.request.build_absolute_uri(
        reverse("complaints:staff_detail", kwargs={"code": action.complaint.tracking_code})
    )
    services.forward_to_camat(action.complaint, action.user_id, url, action.now)


def _answer(action: _StaffAction) -> None:
    form = AnswerForm(action.request.POST)
    action.forms["answer_form"] = form
    if not form.is_valid():
        raise services.ActionRefused(_("Periksa kembali jawaban."))
    services.answer_complaint(
        action.complaint, action.user_id, form.cleaned_data["answer"], action.now
    )


def _close(action: _StaffAction) -> None:
    services.close_complaint(action.complaint, action.user_id, action.now)


# The staff page's actions by the name its buttons post; each is audited as complaint.<name>.
STAFF_ACTIONS: dict[str, Callable[[_StaffAction], None]] = {
    "assign": _assign,
    "verify": _verify,
    "recheck": _recheck,
    "forward": _forward,
    "answer": _answer,
    "close": _close,
}


@login_required
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, code: str) -> HttpResponse:
    assert request.user.is_authenticated  # noqa: S101 - @login_required ran
    _require_triage(request)
    complaint = selectors.complaint_for_user(request.user, code)
    if complaint is None:
        raise Http404(_("Pengaduan tidak ditemukan."))
    users = selectors.assignable_users(request.user)
    page_forms: dict[str, Any] = {
        "assign_form": AssignForm(initial={"assignee": complaint.assigned_to_id}, users=users),
        "answer_form": AnswerForm(initial={"answer": complaint.answer}),
    }
    status = 200
    if request.method == "POST":
        if not selectors.can_act(request.user):
            raise PermissionDenied(_("Akun ini hanya dapat membaca pengaduan."))
        name = request.POST.get("action", "")
        handler = STAFF_ACTIONS.get(name)
        try:
            if handler is None:
                raise services.ActionRefused(_("Tindakan tidak dikenal."))
            handler(_StaffAction(request, complaint, users, timezone.now(), page_forms))
        except services.ActionRefused as refused:
            messages.error(request, str(refused))
            status = 400
        else:
            audit(request, f"complaint.{name}", complaint.tracking_code, _government_of(complaint))
            messages.success(request, _("Perubahan disimpan."))
            return redirect("complaints:staff_detail", code=complaint.tracking_code)
        complaint.refresh_from_db()
    detail = selectors.staff_detail(complaint, timezone.localdate())
    return render(
        request,
        "complaints/staff_detail.html",
        {
            "nav": "complaints",
            "detail": detail,
            "c": complaint,
            **page_forms,
            "zone": zone_label(),
            "Status": ComplaintStatus,
        },
        status=status,
    )


@login_required
@require_GET
def staff_photo(request: HttpRequest, code: str) -> FileResponse:
    """The citizen's photo (re-encoded, metadata-free), to staff only; never cached."""
    _require_triage(request)
    complaint = selectors.complaint_for_user(request.user, code)
    if complaint is None or not complaint.photo:
        raise Http404
    try:
        handle = complaint.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit(request, "complaint.photo", complaint.tracking_code, _government_of(complaint))
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = [
    "complaint_form",
    "staff_detail",
    "staff_list",
    "staff_photo",
    "status_page",
    "track",
    "transparency",
]
