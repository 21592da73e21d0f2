"""Complaint services: the only code that combines ORM, the complaint domain, cache and e-mail.

A valid complaint is stored first, in one transaction; checking it against the cameras and
anything else that can fail happens after, and a failure there never loses the complaint.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cameras.models import Observation, ObservationStatus
from complaints import domain
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintKind,
    ComplaintSource,
    ComplaintStatus,
)
from compliance.domain import PERPRES_2023_HOURS, HolidayEntry, WeeklyHours, add_working_days
from kelurahan_monitor import webhooks
from places import calendar
from places.models import Office
from places.vocabulary import email_list

logger = logging.getLogger(__name__)

# Unambiguous alphabet (no 0/O, 1/I/L): 31 symbols, 10 of them ≈ 2^49 codes.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10
IP_LIMIT_PER_HOUR = 5
CONTACT_LIMIT_PER_DAY = 3
_CALENDAR_SPAN = timedelta(days=120)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class SubmissionRejected(Exception):
    """A complaint that must not be stored; ``message`` is shown to the citizen."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ActionRefused(Exception):
    """A staff action that does not fit the complaint's state or data."""


def hash_identifier(kind: str, value: str) -> str:
    """A salted (SECRET_KEY) HMAC of an IP address or contact; the raw value is not kept."""
    if not value:
        return ""
    return salted_hmac(f"complaints.{kind}", value.strip().lower()).hexdigest()


def contact_key(phone: str, email: str) -> str:
    """One hash per citizen contact: the e-mail if given, else the phone number."""
    if email:
        return hash_identifier("contact", email)
    return hash_identifier("contact", phone)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(value: str) -> str:
    return value.strip().upper().replace("-", "").replace(" ", "")


# --- Calendars ----------------------------------------------------------------------------------


def _office_calendar(office: Office, first: date) -> tuple[list[HolidayEntry], WeeklyHours]:
    calendars = calendar.load_calendars([office], first, first + _CALENDAR_SPAN)
    hours = calendars.weekly_hours(office)
    if all(day is None for day in hours.days):
        # An office without configured hours still gets a Monday-Friday SLA clock.
        hours = PERPRES_2023_HOURS
    return calendars.holidays_of(office), hours


# --- Submission ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintInput:
    """A validated complaint (forms and the Open311 endpoint build it)."""

    office: Office
    visited_at: datetime
    kind: str
    description: str
    photo_jpeg: bytes | None
    phone: str
    email: str
    source: str
    ip: str


def _rate_keys(ip_hash: str, contact_hash: str) -> list[tuple[str, int, int]]:
    keys = [
        (
            f"complaints:ip:{ip_hash}",
            _limit("COMPLAINT_LIMIT_PER_IP_HOUR", IP_LIMIT_PER_HOUR),
            3600,
        )
    ]
    if contact_hash:
        keys.append(
            (
                f"complaints:contact:{contact_hash}",
                _limit("COMPLAINT_LIMIT_PER_CONTACT_DAY", CONTACT_LIMIT_PER_DAY),
                86400,
            )
        )
    return keys


def check_rate_limits(ip: str, phone: str = "", email: str = "") -> None:
    """Raise SubmissionRejected (429) when this address or contact has sent too many."""
    ip_hash = hash_identifier("ip", ip)
    contact_hash = contact_key(phone, email) if (phone or email) else ""
    for key, limit, _window in _rate_keys(ip_hash, contact_hash):
        if (cache.get(key) or 0) >= limit:
            raise SubmissionRejected(_rate_limit_message(key, limit), status=429)


def _rate_limit_message(key: str, limit: int) -> str:
    if key.startswith("complaints:ip:"):
        return _(
            "Terlalu banyak pengaduan dari jaringan Anda dalam satu jam terakhir. "
            "Silakan coba lagi nanti."
        )
    return _("Kontak ini sudah mengirim %(limit)s pengaduan hari ini. Silakan coba lagi besok.") % {
        "limit": limit
    }


def _claim_submission(ip_hash: str, contact_hash: str) -> list[str]:
    """Count this submission in every window before storing it; the count is one atomic
    increment, so parallel submissions cannot all pass a check made before any of them counted.
    Over a limit: the claims are given back and SubmissionRejected (429) is raised."""
    claimed: list[str] = []
    for key, limit, window in _rate_keys(ip_hash, contact_hash):
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            count = 1 if cache.add(key, 1, window) else cache.incr(key)
        claimed.append(key)
        if count > limit:
            _release_claims(claimed)
            raise SubmissionRejected(_rate_limit_message(key, limit), status=429)
    return claimed


def _release_claims(keys: list[str]) -> None:
    for key in keys:
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(key)


def find_duplicate(office: Office, visited_at: datetime, contact_hash: str, ip_hash: str) -> bool:
    """Same office, same local clock hour, same contact (or, without contact, same address)."""
    zone = calendar.zone_of(office)
    local = visited_at.astimezone(zone)
    hour_start = local.replace(minute=0, second=0, microsecond=0)
    same = Complaint.objects.filter(
        office=office, visited_at__gte=hour_start, visited_at__lt=hour_start + timedelta(hours=1)
    )
    if contact_hash:
        return same.filter(contact_hash=contact_hash).exists()
    return same.filter(contact_hash="", ip_hash=ip_hash).exists()


def submit_complaint(data: ComplaintInput, now: datetime) -> Complaint:
    """Store a validated complaint with its SLA due dates, then check it against the cameras.

    Raises SubmissionRejected for rate limits (429) and duplicates (400); nothing is stored then.
    """
    ip_hash = hash_identifier("ip", data.ip)
    contact_hash = contact_key(data.phone, data.email) if (data.phone or data.email) else ""
    claims = _claim_submission(ip_hash, contact_hash)
    try:
        complaint = _store_complaint(data, now, ip_hash, contact_hash)
    except BaseException:
        # A duplicate (or a failure) is not a stored complaint: it uses up no allowance.
        _release_claims(claims)
        raise
    try:
        verify_complaint(complaint.pk, now)
    except Exception:
        # The complaint is safe; staff can re-run the check (or the task retries it).
        logger.exception("camera check of complaint %s failed", complaint.pk)
    complaint.refresh_from_db()
    return complaint


def _store_complaint(
    data: ComplaintInput, now: datetime, ip_hash: str, contact_hash: str
) -> Complaint:
    if find_duplicate(data.office, data.visited_at, contact_hash, ip_hash):
        raise SubmissionRejected(
            _(
                "Pengaduan untuk kantor yang sama pada jam yang sama sudah kami terima. "
                "Gunakan kode lacak yang Anda terima sebelumnya."
            )
        )
    received_on = now.astimezone(calendar.zone_of(data.office)).date()
    holidays, hours = _office_calendar(data.office, received_on)
    due = domain.compute_due_dates(received_on, holidays, hours)
    with transaction.atomic():
        complaint = Complaint(
            tracking_code=_unused_tracking_code(),
            office=data.office,
            visited_at=data.visited_at,
            kind=data.kind,
            description=data.description,
            contact_phone=data.phone,
            contact_email=data.email,
            contact_hash=contact_hash,
            ip_hash=ip_hash,
            received_on=received_on,
            forward_due=due.forward_due,
            answer_due=due.answer_due,
            source=data.source,
        )
        if data.photo_jpeg:
            complaint.photo.save(
                f"{secrets.token_hex(16)}.jpg", ContentFile(data.photo_jpeg), save=False
            )
        complaint.save()
        ComplaintEvent.objects.create(
            complaint=complaint,
            action=ComplaintEvent.Action.CREATED,
            to_status=ComplaintStatus.RECEIVED,
            details={"source": data.source},
        )
    return complaint


def _unused_tracking_code() -> str:
    while True:
        code = new_tracking_code()
        if not Complaint.objects.filter(tracking_code=code).exists():
            return code


# --- Camera check -------------------------------------------------------------------------------


def verify_complaint(complaint_id: int, now: datetime | None = None) -> Complaint:
    """Check a complaint against the camera checks within 15 minutes of the visit; idempotent.

    Writes the result, the time of the check and the observation ids, and an audit event when
    the result changes.
    """
    now = now or timezone.now()
    complaint = Complaint.objects.select_related("office__kecamatan__local_government").get(
        pk=complaint_id
    )
    office = complaint.office
    local_day = complaint.visited_at.astimezone(calendar.zone_of(office)).date()
    calendars = calendar.load_calendars([office], local_day, local_day)
    office_day = calendars.office_day(office, local_day)
    min_staff = office_day.hours.min_staff if office_day.hours is not None else 1
    window = domain.VERIFICATION_WINDOW
    rows = Observation.objects.filter(
        camera__office=office,
        slot__gte=complaint.visited_at - window,
        slot__lte=complaint.visited_at + window,
    ).values_list("pk", "slot", "status", "people_in_zone")
    checks = [
        domain.CameraCheck(
            slot=slot,
            usable=status == ObservationStatus.OK,
            people=people,
            min_staff=min_staff,
            observation_id=pk,
        )
        for pk, slot, status, people in rows
    ]
    outcome = domain.verify_complaint(complaint.visited_at, checks, window)
    previous = complaint.verification
    complaint.verification = outcome.result.value
    complaint.evidence_observation_ids = list(outcome.observation_ids)
    complaint.verification_checked_at = now
    with transaction.atomic():
        complaint.save(
            update_fields=[
                "verification",
                "evidence_observation_ids",
                "verification_checked_at",
                "updated_at",
            ]
        )
        if previous != complaint.verification:
            ComplaintEvent.objects.create(
                complaint=complaint,
                action=ComplaintEvent.Action.CHECKED,
                details={
                    "from": previous,
                    "to": complaint.verification,
                    "observations": list(outcome.observation_ids),
                },
            )
    return complaint


# Observations of a slot settle within a few minutes (capture, detection, retries).
SETTLE_MARGIN = timedelta(minutes=5)
RECHECK_HORIZON = timedelta(days=2)


def recheck_recent_complaints(now: datetime) -> int:
    """Re-check complaints checked before their camera window had closed and settled.

    A complaint filed at 08:31 about 08:30 is checked at once, but the checks up to 08:45 do
    not exist yet. Every complaint whose window (+ margin) has now passed and whose last check
    came before that moment is checked again; a second run finds nothing to do. Returns the
    number re-checked.
    """
    settled = domain.VERIFICATION_WINDOW + SETTLE_MARGIN
    due_ids = list(
        Complaint.objects.filter(
            visited_at__gte=now - RECHECK_HORIZON,
            visited_at__lte=now - settled,
        )
        .filter(
            Q(verification_checked_at__isnull=True)
            | Q(verification_checked_at__lt=F("visited_at") + settled)
        )
        .values_list("pk", flat=True)
    )
    for complaint_id in due_ids:
        verify_complaint(complaint_id, now)
    return len(due_ids)


# --- Staff actions ------------------------------------------------------------------------------


def citizen_status_message(
    tracking_code: str, status_label: str, office_name: str
) -> tuple[str, str]:
    """Subject and body of the e-mail a citizen gets when their complaint changes status.
    No staff names, no pictures: the status, the office and where to read more."""
    subject = _("[Pengaduan %(code)s] Status: %(status)s") % {
        "code": tracking_code,
        "status": status_label,
    }
    body = "\n".join(
        [
            _("Status pengaduan Anda tentang Kelurahan %(office)s berubah menjadi: %(status)s.")
            % {"office": office_name, "status": status_label},
            "",
            _("Kode lacak: %(code)s") % {"code": tracking_code},
            _("Lihat rinciannya di halaman status: /pengaduan/lacak/%(code)s/")
            % {"code": tracking_code},
            "",
            _("Anda menerima e-mail ini karena mencantumkan alamat e-mail pada pengaduan."),
        ]
    )
    return subject, body


def _notify_citizen(complaint_id: int) -> None:
    """After the commit: tell the citizen the complaint's new status: by e-mail when they left
    an address, and through the SMS/WhatsApp gateway's webhook (COMPLAINT_WEBHOOK_URL, the
    alerts' signed style) when they left a phone number. A failure is logged, never raised
    (the status change stands)."""
    complaint = Complaint.objects.select_related("office").filter(pk=complaint_id).first()
    if complaint is None or not (complaint.contact_email or complaint.contact_phone):
        return
    with translation.override("id"):
        status_label = str(complaint.get_status_display())
        subject, body = citizen_status_message(
            complaint.tracking_code, status_label, complaint.office.name
        )
    if complaint.contact_email:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [complaint.contact_email])
        except Exception:
            logger.exception("status e-mail for complaint %s failed", complaint_id)
    if complaint.contact_phone and settings.COMPLAINT_WEBHOOK_URL:
        try:
            webhooks.post_signed_json(
                settings.COMPLAINT_WEBHOOK_URL,
                settings.COMPLAINT_WEBHOOK_SECRET,
                {
                    "kind": "complaint_status",
                    "tracking_code": complaint.tracking_code,
                    "status": complaint.status,
                    "status_label": status_label,
                    "office": complaint.office.code,
                    "phone": complaint.contact_phone,
                    "message": body,
                },
            )
        except requests.RequestException as error:
            logger.warning("status webhook for complaint %s failed: %s", complaint_id, error)


def _change_status(
    complaint: Complaint,
    action: str,
    new_status: str,
    actor_id: int | None,
    details: dict | None = None,
    extra_fields: tuple[str, ...] = (),
) -> None:
    previous = complaint.status
    complaint.status = new_status
    complaint.save(update_fields=["status", "updated_at", *extra_fields])
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor_id=actor_id,
        action=action,
        from_status=previous,
        to_status=new_status,
        details=details or {},
    )
    transaction.on_commit(lambda: _notify_citizen(complaint.pk))


def _refuse_if_closed(complaint: Complaint) -> None:
    if complaint.status == ComplaintStatus.CLOSED:
        raise ActionRefused(_("Pengaduan ini sudah selesai."))


@transaction.atomic
def assign_complaint(complaint: Complaint, assignee_id: int | None, actor_id: int) -> None:
    """Give the complaint to a staff member (None: nobody)."""
    previous = complaint.assigned_to_id
    if previous == assignee_id:
        return
    complaint.assigned_to_id = assignee_id
    complaint.save(update_fields=["assigned_to", "updated_at"])
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor_id=actor_id,
        action=ComplaintEvent.Action.ASSIGNED,
        details={"from": previous, "to": assignee_id},
    )


@transaction.atomic
def mark_verified(complaint: Complaint, actor_id: int) -> None:
    """Staff confirm the complaint is genuine and in scope (received → verified)."""
    if complaint.status != ComplaintStatus.RECEIVED:
        raise ActionRefused(_("Hanya pengaduan berstatus Diterima yang dapat diverifikasi."))
    _change_status(complaint, ComplaintEvent.Action.STATUS, ComplaintStatus.VERIFIED, actor_id)


def forward_to_camat(complaint: Complaint, actor_id: int, staff_url: str, now: datetime) -> None:
    """E-mail the complaint (never the citizen's contact) to the office's camat; then forwarded.

    Raises ActionRefused when the office has no camat address or the mail cannot be sent.
    """
    _refuse_if_closed(complaint)
    if complaint.status not in (ComplaintStatus.RECEIVED, ComplaintStatus.VERIFIED):
        raise ActionRefused(_("Pengaduan ini sudah diteruskan."))
    office = complaint.office
    recipients = email_list(office.alert_emails)
    if not recipients:
        raise ActionRefused(
            _("Kantor %(office)s belum memiliki alamat e-mail camat.") % {"office": office.name}
        )
    zone = calendar.zone_of(office)
    subject = _("[Pengaduan %(code)s] Kelurahan %(office)s") % {
        "code": complaint.tracking_code,
        "office": office.name,
    }
    body = "\n".join(
        [
            _("Pengaduan warga yang perlu ditindaklanjuti dan dijawab."),
            "",
            _("Kode lacak: %(code)s") % {"code": complaint.tracking_code},
            _("Kantor: %(office)s (Kec. %(kecamatan)s)")
            % {"office": office.name, "kecamatan": office.kecamatan.name},
            _("Waktu kunjungan: %(when)s")
            % {"when": complaint.visited_at.astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")},
            _("Kejadian: %(kind)s") % {"kind": ComplaintKind(complaint.kind).label},
            _("Hasil cek kamera: %(result)s") % {"result": complaint.get_verification_display()},
            _("Batas jawaban: %(due)s") % {"due": complaint.answer_due.strftime("%d-%m-%Y")},
            "",
            complaint.description,
            "",
            _("Jawab melalui: %(url)s") % {"url": staff_url},
        ]
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception as error:
        logger.exception("forwarding complaint %s failed", complaint.pk)
        raise ActionRefused(_("E-mail ke camat gagal dikirim. Coba lagi nanti.")) from error
    with transaction.atomic():
        complaint.forwarded_at = now
        _change_status(
            complaint,
            ComplaintEvent.Action.FORWARDED,
            ComplaintStatus.FORWARDED,
            actor_id,
            details={"recipients": len(recipients)},
            extra_fields=("forwarded_at",),
        )


@transaction.atomic
def answer_complaint(complaint: Complaint, actor_id: int, text: str, now: datetime) -> None:
    """Record the answer shown to the citizen; it closes itself 10 working days later."""
    _refuse_if_closed(complaint)
    text = text.strip()
    if not text:
        raise ActionRefused(_("Jawaban tidak boleh kosong."))
    answered_on = now.astimezone(calendar.zone_of(complaint.office)).date()
    holidays, hours = _office_calendar(complaint.office, answered_on)
    complaint.answer = text
    complaint.answered_at = now
    complaint.close_due = domain.auto_close_due(answered_on, holidays, hours)
    _change_status(
        complaint,
        ComplaintEvent.Action.ANSWERED,
        ComplaintStatus.ANSWERED,
        actor_id,
        details={"answer": text},
        extra_fields=("answer", "answered_at", "close_due"),
    )


@transaction.atomic
def close_complaint(complaint: Complaint, actor_id: int, now: datetime) -> None:
    _refuse_if_closed(complaint)
    complaint.closed_at = now
    _change_status(
        complaint,
        ComplaintEvent.Action.STATUS,
        ComplaintStatus.CLOSED,
        actor_id,
        extra_fields=("closed_at",),
    )


@transaction.atomic
def record_citizen_reply(tracking_code: str, text: str, now: datetime) -> None:
    """The citizen is not satisfied with the answer: back to the office, a new answer clock."""
    complaint = Complaint.objects.select_related("office__kecamatan__local_government").get(
        tracking_code=tracking_code
    )
    if complaint.status != ComplaintStatus.ANSWERED:
        raise ActionRefused(_("Tanggapan hanya dapat dikirim setelah pengaduan dijawab."))
    replied_on = now.astimezone(calendar.zone_of(complaint.office)).date()
    holidays, hours = _office_calendar(complaint.office, replied_on)
    complaint.citizen_replied_at = now
    complaint.close_due = None
    complaint.answer_due = add_working_days(replied_on, domain.ANSWER_WORKING_DAYS, holidays, hours)
    _change_status(
        complaint,
        ComplaintEvent.Action.CITIZEN_REPLY,
        ComplaintStatus.FORWARDED,
        None,
        details={"reply": text.strip()},
        extra_fields=("citizen_replied_at", "close_due", "answer_due"),
    )


def close_unanswered_complaints(today: date, now: datetime | None = None) -> int:
    """Close answered complaints whose 10-working-day reply period has passed; idempotent.

    Each row is claimed with a conditional UPDATE (status still answered), so two runs never
    close or log the same complaint twice.
    """
    now = now or timezone.now()
    closed = 0
    due_ids = list(
        Complaint.objects.filter(
            status=ComplaintStatus.ANSWERED, close_due__isnull=False, close_due__lte=today
        ).values_list("pk", flat=True)
    )
    for complaint_id in due_ids:
        with transaction.atomic():
            changed = Complaint.objects.filter(
                pk=complaint_id, status=ComplaintStatus.ANSWERED
            ).update(status=ComplaintStatus.CLOSED, closed_at=now, updated_at=now)
            if changed:
                ComplaintEvent.objects.create(
                    complaint_id=complaint_id,
                    action=ComplaintEvent.Action.AUTO_CLOSED,
                    from_status=ComplaintStatus.ANSWERED,
                    to_status=ComplaintStatus.CLOSED,
                )
                transaction.on_commit(partial(_notify_citizen, complaint_id))
                closed += 1
    return closed


__all__ = [
    "ActionRefused",
    "ComplaintInput",
    "ComplaintSource",
    "SubmissionRejected",
    "answer_complaint",
    "assign_complaint",
    "check_rate_limits",
    "close_complaint",
    "close_unanswered_complaints",
    "forward_to_camat",
    "mark_verified",
    "record_citizen_reply",
    "submit_complaint",
    "verify_complaint",
]
