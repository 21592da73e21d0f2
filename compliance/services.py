"""Compliance services: ORM rows in, domain values out, results persisted idempotently.

The pure rules live in compliance.domain; this module only loads what they need in a fixed
number of queries (never one per office), calls them, and writes the answers by natural key.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cameras.models import Camera, Observation, ObservationStatus
from compliance import alerts, domain
from compliance.models import (
    DailyVerdict,
    Excuse,
    Holiday,
    Office,
    OpeningHours,
    SecurityEvent,
    SpecialPeriod,
    VerdictChange,
)

logger = logging.getLogger(__name__)

# Observation statuses that mean "the camera delivered a usable frame".
_USABLE = {ObservationStatus.OK}
# Not judged yet: neither data nor a missing-data fact.
_UNSETTLED = {ObservationStatus.PENDING, ObservationStatus.RUNNING}
# What the tick needs of an office: its zone and its check policy.
_TICK_OFFICE_FIELDS = (
    "kecamatan__local_government__time_zone",
    "opening_interval_minutes",
    "open_checks_needed",
    "coverage_threshold",
    "after_hours_checks",
    "night_checks",
)
# How far back a tick looks for slots it may have missed (beat restart, slow tick).
TICK_LOOKBACK = timedelta(minutes=10)


def check_policy_for(office: Office) -> domain.CheckPolicy:
    """The office's check policy: the domain defaults with the office's own settings."""
    return domain.CheckPolicy(
        opening_interval=timedelta(minutes=office.opening_interval_minutes),
        open_checks_needed=office.open_checks_needed,
        coverage_threshold=office.coverage_threshold,
        after_hours_checks=office.after_hours_checks,
        night_checks=office.night_checks,
    )


def zone_of(office: Office) -> ZoneInfo:
    """The IANA zone of the office's own government (Indonesia spans WIB, WITA and WIT)."""
    return ZoneInfo(office.kecamatan.local_government.time_zone)


@dataclass(frozen=True)
class Calendars:
    """Everything needed to resolve office days for a set of offices and dates."""

    default_hours: dict[int, dict[int, domain.DayHours]]  # government id -> weekday -> hours
    office_hours: dict[int, dict[int, domain.DayHours]]  # office id -> weekday -> hours
    holidays: dict[int | None, list[domain.HolidayEntry]]  # government id (None: national)
    special_periods: dict[int, list[domain.SpecialPeriod]]  # government id -> periods
    excuses: dict[int, list[domain.ExcuseSpan]]  # office id -> spans

    def office_day(self, office: Office, day: date) -> domain.OfficeDay:
        government_id = office.kecamatan.local_government_id
        weekly = dict(self.default_hours.get(government_id, {}))
        weekly.update(self.office_hours.get(office.pk, {}))
        return domain.resolve_office_day(
            day,
            domain.WeeklyHours.from_mapping(weekly),
            [*self.holidays.get(None, []), *self.holidays.get(government_id, [])],
            self.special_periods.get(government_id, []),
            self.excuses.get(office.pk, []),
        )


def _day_hours(row: OpeningHours) -> domain.DayHours:
    return domain.DayHours(
        open=row.opens_at,
        close=row.closes_at,
        grace_minutes=row.grace_minutes,
        min_staff=row.min_staff,
    )


def load_calendars(offices: Sequence[Office], first: date, last: date) -> Calendars:
    """Hours, holidays, special periods and excuses for `offices` over [first, last].

    Five queries whatever the number of offices. `offices` must come with
    `select_related("kecamatan__local_government")`.
    """
    government_ids = {office.kecamatan.local_government_id for office in offices}
    office_ids = [office.pk for office in offices]

    default_hours: dict[int, dict[int, domain.DayHours]] = defaultdict(dict)
    office_hours: dict[int, dict[int, domain.DayHours]] = defaultdict(dict)
    hours_rows = OpeningHours.objects.filter(
        Q(office__isnull=True, local_government_id__in=government_ids) | Q(office_id__in=office_ids)
    )
    for row in hours_rows:
        if row.office_id is None:
            default_hours[row.local_government_id][row.weekday] = _day_hours(row)
        else:
            office_hours[row.office_id][row.weekday] = _day_hours(row)

    holidays: dict[int | None, list[domain.HolidayEntry]] = defaultdict(list)
    for holiday in Holiday.objects.filter(date__range=(first, last)).filter(
        Q(local_government__isnull=True) | Q(local_government_id__in=government_ids)
    ):
        holidays[holiday.local_government_id].append(
            domain.HolidayEntry(holiday.date, holiday.name, domain.HolidayKind(holiday.kind))
        )

    periods: dict[int, list[domain.SpecialPeriod]] = defaultdict(list)
    period_rows = SpecialPeriod.objects.filter(
        local_government_id__in=government_ids, date_from__lte=last, date_to__gte=first
    ).prefetch_related("hours")
    for period in period_rows:
        override = None
        if period_hours := list(period.hours.all()):
            override = domain.WeeklyHours.from_mapping(
                {
                    row.weekday: domain.DayHours(open=row.opens_at, close=row.closes_at)
                    for row in period_hours
                }
            )
        periods[period.local_government_id].append(
            domain.SpecialPeriod(
                date_from=period.date_from,
                date_to=period.date_to,
                kind=domain.SpecialPeriodKind(period.kind),
                hours=override,
                name=period.name,
            )
        )

    excuses: dict[int, list[domain.ExcuseSpan]] = defaultdict(list)
    for excuse in Excuse.objects.filter(
        office_id__in=office_ids, date_from__lte=last, date_to__gte=first
    ):
        excuses[excuse.office_id].append(
            domain.ExcuseSpan(excuse.date_from, excuse.date_to, excuse.reason)
        )
    return Calendars(default_hours, office_hours, holidays, periods, excuses)


# --- The one-minute tick ------------------------------------------------------------------------


@dataclass(frozen=True)
class TickResult:
    offices_considered: int
    slots_due: int
    dispatched: list[tuple[int, datetime]]  # (observation id, expires at)


def plan_due_checks(
    now: datetime, lookback: timedelta = TICK_LOOKBACK, office_ids: Sequence[int] | None = None
) -> TickResult:
    """Claim every check due in (now - lookback, now] and return the observations to enqueue.

    Inserts one pending Observation per (camera, slot) (duplicates ignored by the unique key),
    then marks the undispatched pending ones as dispatched and returns their ids. Running it
    twice for the same minute dispatches nothing new. A pending observation whose message was lost
    (dispatched more than two minutes ago, still pending, not expired) is dispatched again.
    A fixed number of queries, whatever the number of offices. `office_ids` limits the tick to
    some offices (replays).
    """
    since = now - lookback
    candidates = Office.objects.filter(active=True, cameras__enabled=True)
    if office_ids is not None:
        candidates = candidates.filter(pk__in=office_ids)
    offices = list(
        candidates.select_related("kecamatan__local_government")
        .only(*_TICK_OFFICE_FIELDS)
        .distinct()
    )
    if not offices:
        return TickResult(0, 0, [])
    cameras_by_office: dict[int, list[int]] = defaultdict(list)
    camera_rows = Camera.objects.filter(enabled=True, office__active=True)
    if office_ids is not None:
        camera_rows = camera_rows.filter(office_id__in=office_ids)
    for camera_id, office_id in camera_rows.values_list("pk", "office_id"):
        cameras_by_office[office_id].append(camera_id)
    dates_by_zone = {
        zone_name: domain.local_dates_for_tick(since, now, ZoneInfo(zone_name))
        for zone_name in {office.kecamatan.local_government.time_zone for office in offices}
    }
    all_dates = [day for days in dates_by_zone.values() for day in days]
    calendars = load_calendars(offices, min(all_dates), max(all_dates))

    office_by_id = {office.pk: office for office in offices}
    due: list[tuple[int, domain.PlannedSlot]] = []
    for zone_name, days in dates_by_zone.items():
        in_zone = [o for o in offices if o.kecamatan.local_government.time_zone == zone_name]
        due += domain.plan_due_slots(
            (
                (office.pk, calendars.office_day(office, day), check_policy_for(office))
                for office in in_zone
                for day in days
            ),
            zone=ZoneInfo(zone_name),
            since=since,
            now=now,
        )

    new_rows = [
        Observation(
            camera_id=camera_id,
            slot=slot.at,
            office_date=slot.at.astimezone(zone_of(office_by_id[office_id])).date(),
            kind=slot.kind.value,
            expires_at=slot.expires_at,
        )
        for office_id, slot in due
        for camera_id in cameras_by_office[office_id]
    ]
    with transaction.atomic():
        in_range = Observation.objects.filter(slot__gt=since, slot__lte=now)
        if office_ids is not None:
            in_range = in_range.filter(camera__office_id__in=office_ids)
        Observation.objects.bulk_create(new_rows, ignore_conflicts=True)
        to_dispatch = list(
            in_range.filter(status=ObservationStatus.PENDING, expires_at__gt=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - timedelta(minutes=2)))
            .values_list("pk", "expires_at")
        )
        Observation.objects.filter(pk__in=[pk for pk, _ in to_dispatch]).update(dispatched_at=now)
    # expires_at__gt above leaves out the rows without an expiry.
    return TickResult(len(offices), len(due), cast(list[tuple[int, datetime]], to_dispatch))


# --- Verdicts -------------------------------------------------------------------------------------


# A worker refreshes an office's verdict after every check; its calendar rarely changes within
# a minute, so each process keeps it that long (staff edits show within a minute).
_OFFICE_DAY_TTL_S = 60.0
_office_days: dict[tuple[int, date], tuple[float, domain.OfficeDay]] = {}


def office_day_for(office: Office, day: date) -> domain.OfficeDay:
    """The office's resolved local date (hours, holiday, excuse), cached a minute per process."""
    key = (office.pk, day)
    cached = _office_days.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    office_day = load_calendars([office], day, day).office_day(office, day)
    if len(_office_days) > 10_000:
        _office_days.clear()
    _office_days[key] = (time.monotonic() + _OFFICE_DAY_TTL_S, office_day)
    return office_day


def forget_cached_calendars() -> None:
    """Drop the per-process calendar cache (after an edit that must show at once)."""
    _office_days.clear()


def check_results(observations: Iterable[Observation]) -> list[domain.CheckResult]:
    """Observations as the domain sees them; unsettled ones (pending, running) are left out."""
    results = []
    for observation in observations:
        if observation.status in _UNSETTLED:
            continue
        usable = observation.status in _USABLE
        results.append(
            domain.CheckResult(
                slot=observation.slot,
                status=domain.CheckStatus.OK if usable else domain.CheckStatus.NO_DATA,
                people=(observation.people_in_zone or 0) if usable else 0,
                observation_id=observation.pk,
            )
        )
    return results


def refresh_daily_verdict(
    office_id: int, day: date, now: datetime | None, *, send_alerts: bool = False
) -> DailyVerdict | None:
    """Recompute and upsert the verdict of one office on its local date `day`.

    `now=None` judges the finished day (final); an aware `now` gives the provisional verdict of a
    day in progress. Staff overrides are kept. Returns None while nothing can be judged yet.
    With `send_alerts` (live checks, never replays) the day's alerts are raised, each once.
    Idempotent: the same observations give the same row.
    """
    office = Office.objects.select_related("kecamatan__local_government").get(pk=office_id)
    zone = zone_of(office)
    policy = check_policy_for(office)
    office_day = office_day_for(office, day)
    observations = Observation.objects.filter(camera__office=office, office_date=day).only(
        "id", "slot", "status", "people_in_zone"
    )
    checks = check_results(observations)
    verdict = domain.decide_verdict(office_day, checks, policy, now, zone=zone)
    after_hours = record_security_events(office, office_day, checks, policy, zone)
    if send_alerts and now is not None:
        alerts.raise_alerts(office, day, now, verdict, checks, after_hours, policy, zone)
    if verdict.kind is None:
        return None
    scheduled_open = None
    if office_day.hours is not None:
        scheduled_open = datetime.combine(day, office_day.hours.open, tzinfo=zone).astimezone(UTC)
    row, _ = DailyVerdict.objects.update_or_create(
        office=office,
        date=day,
        defaults={
            "status": verdict.kind.value,
            "is_final": verdict.state is domain.VerdictState.FINAL,
            "scheduled_open": scheduled_open,
            "opened_at": verdict.opened_at,
            "minutes_late": verdict.minutes_late,
            "coverage": round(verdict.coverage, 4),
            "first_arrival": verdict.first_arrival,
            "staffed_share": verdict.staffed_share,
            "evidence_observation_ids": list(verdict.evidence_observation_ids),
            "reason": verdict.reason.value,
        },
    )
    return row


def record_security_events(
    office: Office,
    office_day: domain.OfficeDay,
    checks: Sequence[domain.CheckResult],
    policy: domain.CheckPolicy,
    zone: ZoneInfo,
) -> list[domain.CheckResult]:
    """Store people seen while the office is closed; one event per observation (idempotent).

    Returns the checks that were not recorded before (new events).
    """
    presence = domain.find_after_hours_presence(office_day, checks, policy, zone=zone)
    events = [
        SecurityEvent(
            office=office,
            observation_id=check.observation_id,
            occurred_at=check.slot,
            people=check.people,
        )
        for check in presence
        if check.observation_id is not None
    ]
    known = set(
        SecurityEvent.objects.filter(
            observation_id__in=[event.observation_id for event in events]
        ).values_list("observation_id", flat=True)
    )
    SecurityEvent.objects.bulk_create(events, ignore_conflicts=True)
    return [check for check in presence if check.observation_id not in known]


def recompute_verdicts(
    first: date, last: date, office_codes: Sequence[str] = (), now: datetime | None = None
) -> list[DailyVerdict]:
    """Recompute every verdict in [first, last] (after a detector upgrade or a new excuse).

    Days not finished at `now` get a provisional verdict. Same observations, same answers.
    """
    now = now or timezone.now()
    forget_cached_calendars()
    offices = Office.objects.filter(active=True).select_related("kecamatan__local_government")
    if office_codes:
        offices = offices.filter(code__in=office_codes)
    rows = []
    day = first
    while day <= last:
        for office in offices:
            end_of_day = datetime.combine(
                day + timedelta(days=1), datetime.min.time(), zone_of(office)
            )
            row = refresh_daily_verdict(office.pk, day, None if now >= end_of_day else now)
            if row is not None:
                rows.append(row)
        day += timedelta(days=1)
    return rows


@transaction.atomic
def override_verdict(
    verdict_id: int, status: str, reason: str, user_id: int | None
) -> DailyVerdict:
    """Confirm or correct a verdict with a reason; every change is kept in the audit trail."""
    if not reason.strip():
        raise ValueError("an override needs a reason")
    verdict = DailyVerdict.objects.select_for_update().get(pk=verdict_id)
    previous = verdict.effective_status
    verdict.override_status = status
    verdict.override_reason = reason
    verdict.overridden_by_id = user_id
    verdict.overridden_at = timezone.now()
    verdict.save(
        update_fields=["override_status", "override_reason", "overridden_by", "overridden_at"]
    )
    VerdictChange.objects.create(
        verdict=verdict,
        previous_status=previous,
        new_status=status,
        reason=reason,
        changed_by_id=user_id,
    )
    return verdict
