"""Open311 GeoReport v2 (JSON only) so existing civic reporting apps can file complaints.

Endpoints: services.json, requests.json (GET list, POST create), requests/<id>.json. The
service_request_id is the complaint's tracking code. Errors follow the spec:
``[{"code": 400, "description": "..."}]`` and store nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from complaints import selectors, services
from complaints.forms import ComplaintForm, request_too_large
from complaints.models import Complaint, ComplaintKind, ComplaintSource, ComplaintStatus
from kelurahan_monitor.roles import client_ip
from places.calendar import zone_of

MAX_LIST = 200
_OPEN311_STATUS = {status: "open" for status in ComplaintStatus.values} | {
    ComplaintStatus.CLOSED: "closed"
}
# The form field names behind each spec (or attribute) parameter.
_FIELD_NAMES = {
    "office": "address_id",
    "kind": "service_code",
    "description": "description",
    "visit_date": "attribute[visited_at]",
    "visit_time": "attribute[visited_at]",
    "photo": "media",
    "phone": "phone",
    "email": "email",
}


def _errors(status: int, descriptions: list[str]) -> JsonResponse:
    return JsonResponse(
        [{"code": status, "description": text} for text in descriptions], status=status, safe=False
    )


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def service_list() -> list[dict]:
    return [
        {
            "service_code": kind.value,
            "service_name": str(kind.label),
            "description": str(_DESCRIPTIONS[kind]),
            "metadata": True,
            "type": "realtime",
            "keywords": "kelurahan,jam buka,pelayanan",
            "group": _("Pelayanan kelurahan"),
        }
        for kind in ComplaintKind
    ]


_DESCRIPTIONS = {
    ComplaintKind.CLOSED: gettext_lazy("Kantor kelurahan tutup pada jam kerja."),
    ComplaintKind.NO_STAFF: gettext_lazy("Kantor terbuka tetapi tidak ada petugas yang melayani."),
    ComplaintKind.OPENED_LATE: gettext_lazy("Kantor buka terlambat dari jam kerja."),
    ComplaintKind.OTHER: gettext_lazy("Masalah lain tentang jam pelayanan kantor kelurahan."),
}


@require_GET
def services_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(service_list(), safe=False)


def _public_request(complaint: Complaint) -> dict:
    """The public fields of one request: never contact, IP, staff names or the photo."""
    office = complaint.office
    public_text = complaint.status != ComplaintStatus.RECEIVED
    return {
        "service_request_id": complaint.tracking_code,
        "status": _OPEN311_STATUS[complaint.status],
        "status_notes": complaint.answer or str(complaint.get_status_display()),
        "service_name": str(complaint.get_kind_display()),
        "service_code": complaint.kind,
        # Free text is published only after staff triage (it may name people).
        "description": complaint.description if public_text else "",
        "agency_responsible": _("Kecamatan %(name)s") % {"name": office.kecamatan.name},
        "service_notice": "",
        "requested_datetime": _iso(complaint.created_at),
        "updated_datetime": _iso(complaint.updated_at),
        "expected_datetime": _iso(
            datetime.combine(complaint.answer_due, time(16, 0), tzinfo=zone_of(office))
        ),
        "address": f"Kantor Kelurahan {office.name}, Kec. {office.kecamatan.name}",
        "address_id": office.code,
        "zipcode": None,
        "lat": float(office.latitude) if office.latitude is not None else None,
        "long": float(office.longitude) if office.longitude is not None else None,
        "media_url": None,
    }


def _parse_body(request: HttpRequest) -> QueryDict | dict | None:
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(body, dict):
            return None
        flat: dict[str, str] = {}
        for key, value in body.items():
            if key == "attribute" and isinstance(value, dict):
                for name, item in value.items():
                    flat[f"attribute[{name}]"] = str(item)
            elif isinstance(value, str | int | float):
                flat[key] = str(value)
        return flat
    return request.POST


def _form_data(params: QueryDict | dict, now: datetime) -> tuple[dict, list[str]]:
    """Map spec parameters onto the complaint form's fields; return problems found on the way."""
    problems: list[str] = []
    office_code = (params.get("address_id") or params.get("attribute[office_code]") or "").strip()
    data = {
        "office": office_code,
        "kind": (params.get("service_code") or "").strip(),
        "description": params.get("description") or "",
        "phone": params.get("phone") or "",
        "email": params.get("email") or "",
        "website": "",
    }
    if not data["kind"]:
        problems.append(_("service_code wajib diisi."))
    if not office_code:
        problems.append(
            _("address_id atau attribute[office_code] (kode kantor kelurahan) wajib diisi.")
        )
    raw_visit = (params.get("attribute[visited_at]") or "").strip()
    visited: datetime | None = now
    if raw_visit:
        visited = None
        parsed = _parse_date_param(raw_visit)
        if isinstance(parsed, datetime):
            visited = parsed
        if visited is None:
            problems.append(_("attribute[visited_at] harus berupa waktu ISO 8601."))
    if visited is not None:
        local = timezone.localtime(visited)
        data["visit_date"] = local.date().isoformat()
        data["visit_time"] = local.strftime("%H:%M")
    return data, problems


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_json(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request)
    return _list_requests(request)


def _create_request(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if request_too_large(request.META):
        return _errors(413, [_("Kiriman terlalu besar. Foto maksimal 5 MB.")])
    params = _parse_body(request)
    if params is None:
        return _errors(400, [_("Badan permintaan JSON tidak valid.")])
    data, problems = _form_data(params, now)
    files = {"photo": request.FILES["media"]} if "media" in request.FILES else {}
    form = ComplaintForm(data, files, now=now, zone=selectors.form_zone_label())
    if not form.is_valid() or problems:
        for field, errors in form.errors.items():
            name = _FIELD_NAMES.get(field, field)
            problems.extend(f"{name}: {error}" for error in errors if name not in str(problems))
        return _errors(400, list(dict.fromkeys(problems)))
    cleaned = form.cleaned_data
    try:
        complaint = services.submit_complaint(
            services.ComplaintInput(
                office=cleaned["office"],
                visited_at=cleaned["visited_at"],
                kind=cleaned["kind"],
                description=cleaned["description"],
                photo_jpeg=form.photo_jpeg,
                phone=cleaned["phone"],
                email=cleaned["email"],
                source=ComplaintSource.OPEN311,
                ip=client_ip(request) or "",
            ),
            now,
        )
    except services.SubmissionRejected as rejected:
        return _errors(rejected.status, [rejected.message])
    return JsonResponse(
        [
            {
                "service_request_id": complaint.tracking_code,
                "service_notice": _(
                    "Pengaduan diterima. Akan diteruskan ke kantor dalam 3 hari kerja."
                ),
                "account_id": None,
            }
        ],
        status=201,
        safe=False,
    )


def _parse_date_param(value: str | None) -> datetime | bool | None:
    """An aware datetime, None when absent, False when it is not a usable ISO 8601 time (a
    malformed one, 2026-02-30, or one at the calendar's edge that cannot be moved to UTC)."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            parsed = datetime.combine(date.fromisoformat(value), time.min)
        aware = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        if not 2000 <= aware.astimezone(UTC).year <= 2099:
            return False
    except (ValueError, OverflowError):
        return False
    return aware


def _list_requests(request: HttpRequest) -> HttpResponse:
    complaints = Complaint.objects.select_related("office__kecamatan").order_by("-created_at")
    if ids := request.GET.get("service_request_id"):
        complaints = complaints.filter(
            tracking_code__in=[services.normalise_tracking_code(i) for i in ids.split(",")][:50]
        )
    if codes := request.GET.get("service_code"):
        complaints = complaints.filter(kind__in=codes.split(","))
    if status := request.GET.get("status"):
        wanted = set(status.split(","))
        if not wanted <= {"open", "closed"}:
            return _errors(400, [_("status harus open atau closed.")])
        if wanted == {"open"}:
            complaints = complaints.exclude(status=ComplaintStatus.CLOSED)
        elif wanted == {"closed"}:
            complaints = complaints.filter(status=ComplaintStatus.CLOSED)
    start = _parse_date_param(request.GET.get("start_date"))
    end = _parse_date_param(request.GET.get("end_date"))
    if start is False or end is False:
        return _errors(400, [_("start_date dan end_date harus berupa waktu ISO 8601.")])
    if start:
        complaints = complaints.filter(created_at__gte=start)
    if end:
        complaints = complaints.filter(created_at__lte=end)
    return JsonResponse(
        [_public_request(complaint) for complaint in complaints[:MAX_LIST]], safe=False
    )


@require_GET
def request_detail_json(request: HttpRequest, request_id: str) -> JsonResponse:
    complaint = (
        Complaint.objects.select_related("office__kecamatan")
        .filter(tracking_code=services.normalise_tracking_code(request_id))
        .first()
    )
    if complaint is None:
        return _errors(404, [_("Permintaan tidak ditemukan.")])
    return JsonResponse([_public_request(complaint)], safe=False)
