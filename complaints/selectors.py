"""Read queries for complaint pages, the dashboard and exports (fixed number of queries)."""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.models import Evidence
from complaints import domain
from complaints.models import Complaint, ComplaintEvent, ComplaintStatus, VerificationResult
from compliance.domain import ranking
from compliance.models import DailyVerdict, VerdictStatus
from kelurahan_monitor import roles
from places import vocabulary
from places.calendar import zone_of
from places.models import Office

User = AbstractBaseUser | AnonymousUser

TRANSPARENCY_DAYS = 30


# --- Who sees what ------------------------------------------------------------------------------


def can_triage(user: User) -> bool:
    """Every role may read the complaints of its offices (the mayor's office and auditors too)."""
    return roles.is_staff_reader(user)


def can_act(user: User) -> bool:
    """Diskominfo and camat assign, answer, forward and close; others only read."""
    return roles.can_answer_complaints(user)


def complaints_for_user(user: User) -> QuerySet[Complaint]:
    """The complaints `user` may see: their government's, a camat's only their kecamatan's."""
    if not can_triage(user):
        return Complaint.objects.none()
    return Complaint.objects.filter(roles.office_scope(user, "office__"))


def waiting_count(user: User) -> int:
    """Complaints of `user`'s offices that still wait on staff (not answered, not closed)."""
    return complaints_for_user(user).filter(status__in=domain.AWAITING_ANSWER).count()


# --- For the dashboard and exports ------------------------------------------------------------


def count_complaints_by_office(date_from: date, date_to: date) -> dict[int, int]:
    """Complaints received per office id over [date_from, date_to] (local receipt dates)."""
    rows = (
        Complaint.objects.filter(received_on__range=(date_from, date_to))
        .values("office_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {row["office_id"]: row["total"] for row in rows}


@dataclass(frozen=True)
class ComplaintLine:
    """A citizen complaint as staff see it on the office page (never the contact fields)."""

    tracking_code: str
    visited_at: datetime
    kind_label: str
    status_label: str
    verification_label: str


def recent_complaint_lines(office: Office, limit: int = 10) -> tuple[ComplaintLine, ...]:
    """The office's latest complaints by visit time, for the office page (one query)."""
    rows = Complaint.objects.filter(office=office).order_by("-visited_at")[:limit]
    return tuple(
        ComplaintLine(
            tracking_code=row.tracking_code,
            visited_at=row.visited_at,
            kind_label=str(row.get_kind_display()),
            status_label=str(row.get_status_display()),
            verification_label=str(row.get_verification_display()),
        )
        for row in rows
    )


def overdue_filter(today: date) -> Q:
    """The domain's overdue rules (complaints.domain.OVERDUE_RULES) as one SQL condition."""
    return reduce(
        operator.or_,
        (
            Q(status__in=rule.waiting, **{f"{rule.due_field}__lt": today})
            for rule in domain.OVERDUE_RULES
        ),
    )


def overdue_complaints(today: date | None = None) -> QuerySet[Complaint]:
    """Open complaints past their forward (3) or answer (5 working days) deadline, oldest first.

    `today` defaults to the local date. Rows come with office and kecamatan selected.
    """
    today = today or timezone.localdate()
    return (
        Complaint.objects.filter(overdue_filter(today))
        .select_related("office__kecamatan")
        .order_by("answer_due", "created_at")
    )


# --- Staff list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    complaint: Complaint
    flags: frozenset[domain.OverdueFlag]

    @property
    def overdue(self) -> bool:
        return bool(self.flags)


def staff_list(
    user: User,
    today: date,
    status: str = "",
    kecamatan_id: int | None = None,
    verification: str = "",
    overdue_only: bool = False,
    limit: int = 200,
) -> list[StaffRow]:
    complaints = complaints_for_user(user).select_related("office__kecamatan", "assigned_to")
    if status:
        complaints = complaints.filter(status=status)
    if kecamatan_id:
        complaints = complaints.filter(office__kecamatan_id=kecamatan_id)
    if verification:
        complaints = complaints.filter(verification=verification)
    if overdue_only:
        complaints = complaints.filter(overdue_filter(today))
    return [
        StaffRow(
            complaint,
            domain.overdue_flags(
                complaint.status, today, complaint.forward_due, complaint.answer_due
            ),
        )
        for complaint in complaints.order_by("-created_at")[:limit]
    ]


def complaint_for_user(user: User, tracking_code: str) -> Complaint | None:
    return (
        complaints_for_user(user)
        .select_related("office__kecamatan__local_government", "assigned_to")
        .filter(tracking_code=tracking_code)
        .first()
    )


@dataclass(frozen=True)
class EvidencePicture:
    """A blurred camera picture the check used: which observation, when, how many people."""

    observation_id: int
    slot: datetime
    camera_name: str
    people: int | None


@dataclass(frozen=True)
class StaffDetail:
    complaint: Complaint
    flags: frozenset[domain.OverdueFlag]
    evidence_ids: tuple[int, ...]  # observations used that have a blurred evidence image
    evidence: tuple[EvidencePicture, ...]  # the same, in time order, with their times
    verdict: DailyVerdict | None
    visit_day: date
    events: tuple[ComplaintEvent, ...]


def staff_detail(complaint: Complaint, today: date) -> StaffDetail:
    visit_day = complaint.visited_at.astimezone(zone_of(complaint.office)).date()
    evidence = tuple(
        EvidencePicture(
            observation_id=row["observation_id"],
            slot=row["observation__slot"],
            camera_name=row["observation__camera__name"],
            people=row["observation__people_count"],
        )
        for row in Evidence.objects.filter(observation_id__in=complaint.evidence_observation_ids)
        .order_by("observation__slot", "observation_id")
        .values(
            "observation_id",
            "observation__slot",
            "observation__camera__name",
            "observation__people_count",
        )
    )
    evidence_ids = tuple(picture.observation_id for picture in evidence)
    verdict = DailyVerdict.objects.filter(office=complaint.office, date=visit_day).first()
    return StaffDetail(
        complaint=complaint,
        flags=domain.overdue_flags(
            complaint.status, today, complaint.forward_due, complaint.answer_due
        ),
        evidence_ids=tuple(sorted(evidence_ids)),
        evidence=evidence,
        verdict=verdict,
        visit_day=visit_day,
        events=tuple(complaint.events.select_related("actor")),
    )


def assignable_users(user: User) -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(groups__name__in=[roles.Role.DISKOMINFO, roles.Role.CAMAT])
        .distinct()
        .order_by("username")
    )


# --- Public pages -------------------------------------------------------------------------------

PUBLIC_EVENT_ACTIONS = (
    ComplaintEvent.Action.CREATED,
    ComplaintEvent.Action.STATUS,
    ComplaintEvent.Action.FORWARDED,
    ComplaintEvent.Action.ANSWERED,
    ComplaintEvent.Action.CITIZEN_REPLY,
    ComplaintEvent.Action.AUTO_CLOSED,
)


@dataclass(frozen=True)
class PublicEvent:
    at: object
    status: str
    status_label: str


@dataclass(frozen=True)
class PublicStatus:
    """What the status page may show: no contact, no IP, no staff names, no photo."""

    tracking_code: str
    office_name: str
    kecamatan_name: str
    kind_label: str
    visited_at: object
    received_on: date
    description: str
    status: str
    status_label: str
    answer: str
    answered_at: object
    events: tuple[PublicEvent, ...]
    can_reply: bool
    next_step: str  # "forward", "answer", "close" or "" (what the office owes, and by when)
    next_due: date | None
    verification: str = ""  # VerificationResult value
    camera_finding: str = ""  # what the camera check found, in words that show no staff


def public_status(tracking_code: str) -> PublicStatus | None:
    complaint = (
        Complaint.objects.select_related("office__kecamatan")
        .filter(tracking_code=tracking_code)
        .first()
    )
    if complaint is None:
        return None
    events = tuple(
        PublicEvent(
            at=event.created_at,
            status=event.to_status,
            status_label=str(ComplaintStatus(event.to_status).label),
        )
        for event in complaint.events.filter(action__in=PUBLIC_EVENT_ACTIONS).exclude(to_status="")
    )
    steps: dict[str, tuple[str, date | None]] = {
        ComplaintStatus.RECEIVED: ("forward", complaint.forward_due),
        ComplaintStatus.VERIFIED: ("forward", complaint.forward_due),
        ComplaintStatus.FORWARDED: ("answer", complaint.answer_due),
        ComplaintStatus.ANSWERED: ("close", complaint.close_due),
    }
    next_step, next_due = steps.get(complaint.status, ("", None))
    return PublicStatus(
        tracking_code=complaint.tracking_code,
        office_name=complaint.office.name,
        kecamatan_name=complaint.office.kecamatan.name,
        kind_label=str(complaint.get_kind_display()),
        visited_at=complaint.visited_at,
        received_on=complaint.received_on,
        description=complaint.description,
        status=complaint.status,
        status_label=str(complaint.get_status_display()),
        answer=complaint.answer,
        answered_at=complaint.answered_at,
        events=events,
        can_reply=complaint.status == ComplaintStatus.ANSWERED,
        next_step=next_step,
        next_due=next_due,
        verification=complaint.verification,
        camera_finding=camera_finding(complaint.verification),
    )


def camera_finding(verification: str) -> str:
    """What the office camera check found, for the citizen: a sentence, never a picture."""
    findings: dict[str, str] = {
        VerificationResult.PENDING: _("Rekaman kamera kantor belum dicek."),
        VerificationResult.CORROBORATED: _(
            "Kamera kantor mendukung laporan Anda: pada waktu kunjungan Anda kantor belum "
            "terlihat buka."
        ),
        VerificationResult.CONTRADICTED: _(
            "Menurut kamera kantor, kantor sudah terlihat buka pada waktu kunjungan Anda. "
            "Petugas tetap menindaklanjuti laporan Anda."
        ),
        VerificationResult.UNVERIFIABLE: _(
            "Kamera kantor tidak mengirim data pada waktu kunjungan Anda, jadi laporan ini "
            "tidak dapat dicek dengan kamera."
        ),
    }
    return findings.get(verification, "")


def offices_for_form() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active offices grouped by kecamatan name: [(kecamatan, [(code, kelurahan), ...])]."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, name, kecamatan in (
        Office.objects.filter(active=True)
        .order_by("kecamatan__name", "name")
        .values_list("code", "name", "kecamatan__name")
    ):
        grouped[kecamatan].append((code, name))
    return list(grouped.items())


def form_zone_label() -> str:
    """The zone the complaint form reads a visit time in: the governments' zone label when
    every active office shares one (WIB, WITA, WIT), else "local time" (the office's own)."""
    zones = set(
        Office.objects.filter(active=True)
        .values_list("kecamatan__local_government__time_zone", flat=True)
        .distinct()
    )
    if not zones:
        return vocabulary.zone_label(settings.TIME_ZONE)
    if len(zones) == 1:
        return vocabulary.zone_label(zones.pop())
    return _("waktu setempat")


@dataclass(frozen=True)
class TransparencyRow:
    name: str
    group: str
    percent: int | None
    judged_days: int
    complaints: int


@dataclass(frozen=True)
class Transparency:
    first: date
    last: date
    kecamatan: tuple[TransparencyRow, ...]
    offices: tuple[TransparencyRow, ...]
    total_complaints: int


def _effective_status() -> Coalesce:
    return Coalesce(NullIf(F("override_status"), Value("")), F("status"), output_field=CharField())


def transparency(last: date, days: int = TRANSPARENCY_DAYS) -> Transparency:
    """On-time rate and complaint count per kelurahan and kecamatan over `days` days ending on
    `last`. Public: names and numbers only. Three queries."""
    first = last - timedelta(days=days - 1)
    counts_by_status = {
        status.value: Count("id", filter=Q(effective=status.value)) for status in VerdictStatus
    }
    verdict_rows = {
        row["office_id"]: row
        for row in DailyVerdict.objects.filter(date__range=(first, last), office__active=True)
        .annotate(effective=_effective_status())
        .values("office_id")
        .annotate(**counts_by_status)
        .order_by()
    }
    complaint_counts = count_complaints_by_office(first, last)
    office_rows: list[ranking.RateRow] = []
    complaints_by_name: dict[str, int] = {}
    kecamatan_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kecamatan_complaints: dict[str, int] = defaultdict(int)
    for office in Office.objects.filter(active=True).values(
        "id", "code", "name", "kecamatan__name"
    ):
        row = verdict_rows.get(office["id"], {})
        office_rows.append(
            ranking.RateRow(
                key=office["code"],
                name=office["name"],
                group=office["kecamatan__name"],
                counts=ranking.StatusCounts.from_mapping(row),
            )
        )
        complaints_by_name[office["code"]] = complaint_counts.get(office["id"], 0)
        kecamatan_complaints[office["kecamatan__name"]] += complaint_counts.get(office["id"], 0)
        for status in VerdictStatus:
            kecamatan_counts[office["kecamatan__name"]][status.value] += row.get(status.value, 0)
    kecamatan_rows = [
        ranking.RateRow(key=name, name=name, counts=ranking.StatusCounts.from_mapping(counts))
        for name, counts in kecamatan_counts.items()
    ]
    return Transparency(
        first=first,
        last=last,
        kecamatan=tuple(
            TransparencyRow(
                name=ranked.row.name,
                group="",
                percent=ranked.percent,
                judged_days=ranked.row.counts.judged,
                complaints=kecamatan_complaints[ranked.row.name],
            )
            for ranked in ranking.rank_by_on_time_rate(kecamatan_rows)
        ),
        offices=tuple(
            TransparencyRow(
                name=ranked.row.name,
                group=ranked.row.group,
                percent=ranked.percent,
                judged_days=ranked.row.counts.judged,
                complaints=complaints_by_name[ranked.row.key],
            )
            for ranked in ranking.rank_by_on_time_rate(office_rows)
        ),
        total_complaints=sum(complaint_counts.values()),
    )
