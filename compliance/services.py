"""Compliance services: ORM rows in, domain values out, results persisted idempotently.

The pure rules live in compliance.domain; this module only loads what they need in a fixed
number of queries (never one per office), calls them, and writes the answers by natural key.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from agents.selectors import judging_clock, last_contacts, serving_office_ids
from cameras.models import Camera, Observation, ObservationStatus
from cameras.services import claim_lease
from compliance import alerts, domain
from compliance.alerts import JudgedDay
from compliance.models import DailyVerdict, SecurityEvent, TickCursor, VerdictChange
from places.calendar import forget_cached_calendars, load_calendars, zone_of
from places.models import Office

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
    then marks the slots to hand to the broker as dispatched and returns their ids: new slots,
    pending slots whose message was lost (see `reclaim_lost_checks`) and running slots whose
    worker died. Running it twice for the same minute dispatches nothing new. A fixed number of
    queries, whatever the number of offices. `office_ids` limits the tick to some offices
    (replays). The caller publishes the messages and calls `release_dispatch` for those it
    could not publish.
    """
    since = now - lookback
    # An office an agent serves is checked by its agent, on the box's own clock.
    candidates = Office.objects.filter(active=True, cameras__enabled=True).exclude(
        pk__in=serving_office_ids()
    )
    if office_ids is not None:
        candidates = candidates.filter(pk__in=office_ids)
    offices = list(
        candidates.select_related("kecamatan__local_government")
        .only(*_TICK_OFFICE_FIELDS)
        .distinct()
    )
    new_rows: list[Observation] = []
    due: list[tuple[int, domain.PlannedSlot]] = []
    if offices:
        due = _due_slots(offices, since, now)
        cameras_by_office: dict[int, list[int]] = defaultdict(list)
        camera_rows = Camera.objects.filter(enabled=True, office__active=True).exclude(
            office_id__in=serving_office_ids()
        )
        if office_ids is not None:
            camera_rows = camera_rows.filter(office_id__in=office_ids)
        for camera_id, office_id in camera_rows.values_list("pk", "office_id"):
            cameras_by_office[office_id].append(camera_id)
        office_by_id = {office.pk: office for office in offices}
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
        Observation.objects.bulk_create(new_rows, ignore_conflicts=True)
        new = Observation.objects.filter(
            slot__gt=since,
            slot__lte=now,
            status=ObservationStatus.PENDING,
            dispatched_at__isnull=True,
            expires_at__gt=now,
        )
        if office_ids is not None:
            new = new.filter(camera__office_id__in=office_ids)
        to_dispatch = list(new.values_list("pk", "expires_at"))
        Observation.objects.filter(pk__in=[pk for pk, _ in to_dispatch]).update(
            dispatched_at=now, dispatch_count=F("dispatch_count") + 1
        )
    if office_ids is None:
        to_dispatch += reclaim_lost_checks(now)
    # expires_at__gt above leaves out the rows without an expiry.
    return TickResult(len(offices), len(due), cast(list[tuple[int, datetime]], to_dispatch))


def _due_slots(
    offices: Sequence[Office], since: datetime, now: datetime
) -> list[tuple[int, domain.PlannedSlot]]:
    dates_by_zone = {
        zone_name: domain.local_dates_for_tick(since, now, ZoneInfo(zone_name))
        for zone_name in {office.kecamatan.local_government.time_zone for office in offices}
    }
    all_dates = [day for days in dates_by_zone.values() for day in days]
    calendars = load_calendars(offices, min(all_dates), max(all_dates))
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
    return due


# A dispatched slot still pending after this lost its message (broker restart, a tick killed
# between marking and publishing): it is dispatched again while its window is open.
REDISPATCH_AFTER = timedelta(minutes=2)
# A slot is handed to the broker at most this often (first dispatch included); a worker lost
# twice on the same slot settles it as an error rather than looping.
MAX_DISPATCHES = 3
# No check window is longer than this; older unsettled rows are the expiry's, not the reclaim's.
RECLAIM_HORIZON = timedelta(days=1)


def reclaim_lost_checks(now: datetime) -> list[tuple[int, datetime]]:
    """Dispatch again what was lost on the way, each with a conditional UPDATE (a second tick
    running at once takes none of the same rows):

    - pending slots dispatched more than REDISPATCH_AFTER ago (their message never arrived);
    - running slots whose claim is older than the check lease (the worker died without the
      broker noticing): back to pending for one more try, or settled as an error after
      MAX_DISPATCHES.

    Windows still open only; `settle_expired_checks` ends the others.
    """
    open_window = Q(expires_at__gt=now, slot__gt=now - RECLAIM_HORIZON, slot__lte=now)
    lost_message = Q(
        status=ObservationStatus.PENDING, dispatched_at__lt=now - REDISPATCH_AFTER
    ) | Q(status=ObservationStatus.PENDING, dispatched_at__isnull=True)
    lost_worker = Q(status=ObservationStatus.RUNNING, claimed_at__lt=now - claim_lease())
    candidates = list(
        Observation.objects.filter(open_window & (lost_message | lost_worker))
        .filter(dispatch_count__lt=MAX_DISPATCHES)
        .values_list("pk", "status", "dispatched_at", "claimed_at", "expires_at")
    )
    again: list[tuple[int, datetime]] = []
    for pk, status, dispatched_at, claimed_at, expires_at in candidates:
        # Claim the row from the exact state we read; a check or another tick that moved it
        # meanwhile wins.
        taken = Observation.objects.filter(
            pk=pk, status=status, dispatched_at=dispatched_at, claimed_at=claimed_at
        ).update(
            status=ObservationStatus.PENDING,
            claim_token="",
            dispatched_at=now,
            dispatch_count=F("dispatch_count") + 1,
        )
        if taken and expires_at is not None:
            again.append((pk, expires_at))
    if again:
        logger.warning("tick: %d lost check(s) dispatched again", len(again))
    Observation.objects.filter(
        open_window & lost_worker, dispatch_count__gte=MAX_DISPATCHES
    ).update(
        status=ObservationStatus.ERROR,
        error_message="worker lost on every attempt",
        recorded_at=now,
    )
    return again


def release_dispatch(observation_ids: Sequence[int], now: datetime) -> int:
    """The broker refused these messages: mark the slots undispatched so the next tick sends
    them again (the mark and the message never disagree for longer than a tick)."""
    return Observation.objects.filter(
        pk__in=observation_ids, status=ObservationStatus.PENDING, dispatched_at=now
    ).update(dispatched_at=None, dispatch_count=F("dispatch_count") - 1)


def settle_expired_checks(now: datetime) -> int:
    """Every slot whose window has passed ends "expired" (no data for that slot), whatever
    happened to it: never dispatched, message lost, broker down, worker killed. A running
    check keeps its slot until its lease runs out (it may still be writing)."""
    unsettled = Q(status=ObservationStatus.PENDING) | Q(
        status=ObservationStatus.RUNNING, claimed_at__lt=now - claim_lease()
    )
    return Observation.objects.filter(unsettled, expires_at__lte=now).update(
        status=ObservationStatus.EXPIRED,
        error_message="slot expired before a check ran",
        recorded_at=now,
    )


# --- Verdicts -------------------------------------------------------------------------------------


def check_result(
    observation_id: int, slot: datetime, status: str, people_in_zone: int | None
) -> domain.CheckResult:
    """One settled observation as the domain sees it."""
    usable = status in _USABLE
    return domain.CheckResult(
        slot=slot,
        status=domain.CheckStatus.OK if usable else domain.CheckStatus.NO_DATA,
        people=(people_in_zone or 0) if usable else 0,
        observation_id=observation_id,
    )


def check_results(observations: Iterable[Observation]) -> list[domain.CheckResult]:
    """Observations as the domain sees them; unsettled ones (pending, running) are left out."""
    return [
        check_result(o.pk, o.slot, o.status, o.people_in_zone)
        for o in observations
        if o.status not in _UNSETTLED
    ]


def refresh_verdicts(
    office_days: Iterable[tuple[int, date]], now: datetime | None
) -> list[JudgedDay]:
    """Recompute and upsert the verdicts of these (office id, local date) pairs.

    `now=None` judges finished days (final); an aware `now` gives provisional verdicts of days
    in progress. Reads offices, calendars and observations of all pairs in a fixed number of
    queries; writes each verdict by its natural key (staff overrides are kept). Idempotent: the
    same observations give the same rows.
    """
    pairs = sorted(set(office_days))
    if not pairs:
        return []
    offices = {
        office.pk: office
        for office in Office.objects.filter(pk__in={pk for pk, _ in pairs}).select_related(
            "kecamatan__local_government"
        )
    }
    days = {day for _, day in pairs}
    calendars = load_calendars(list(offices.values()), min(days), max(days))
    checks_by_day: dict[tuple[int, date], list[domain.CheckResult]] = defaultdict(list)
    rows = (
        Observation.objects.filter(camera__office_id__in=offices, office_date__in=days)
        .exclude(status__in=_UNSETTLED)
        .values_list("camera__office_id", "office_date", "pk", "slot", "status", "people_in_zone")
    )
    for office_id, office_date, pk, slot, status, people in rows:
        checks_by_day[(office_id, office_date)].append(check_result(pk, slot, status, people))
    contacts = last_contacts(list(offices))
    real_now = now or timezone.now()
    judged = []
    for office_id, day in pairs:
        if (office := offices.get(office_id)) is None:
            continue
        clock = now
        if office_id in contacts:
            # An agent office: what the server knows of the day ends at the agent's last contact.
            start = datetime.combine(day, datetime.min.time(), zone_of(office))
            end = start + timedelta(days=1)
            waiting = judging_clock(contacts[office_id], start, end, real_now)
            clock = now if waiting is None else min(waiting, now or waiting)
        judged.append(
            _judge_day(
                office,
                day,
                calendars.office_day(office, day),
                checks_by_day[(office_id, day)],
                clock,
            )
        )
    return judged


def _judge_day(
    office: Office,
    day: date,
    office_day: domain.OfficeDay,
    checks: list[domain.CheckResult],
    now: datetime | None,
) -> JudgedDay:
    zone = zone_of(office)
    policy = check_policy_for(office)
    checks.sort(key=lambda check: (check.slot, check.observation_id or 0))
    verdict = domain.decide_verdict(office_day, checks, policy, now, zone=zone)
    after_hours = record_security_events(office, office_day, checks, policy, zone)
    row = None
    if verdict.kind is not None:
        scheduled_open = None
        if office_day.hours is not None:
            scheduled_open = datetime.combine(day, office_day.hours.open, tzinfo=zone).astimezone(
                UTC
            )
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
    return JudgedDay(office, day, verdict, checks, after_hours, policy, zone, row)


def refresh_daily_verdict(office_id: int, day: date, now: datetime | None) -> DailyVerdict | None:
    """Recompute and upsert the verdict of one office on its local date `day` (see
    `refresh_verdicts`). Returns None while nothing can be judged yet."""
    judged = refresh_verdicts([(office_id, day)], now)
    return judged[0].row if judged else None


# Facts are pulled again this far behind the cursor: a check's write may commit a little after
# the instant it records (and workers' clocks differ by a little). Refreshing twice is harmless.
FACTS_OVERLAP = timedelta(seconds=60)
_FACTS_CURSOR = "verdicts"


def offices_with_new_facts(now: datetime) -> list[tuple[int, date]]:
    """Claim the facts recorded since the last tick; return the office days they belong to.

    The cursor moves with a conditional UPDATE from the value read (healthchecks' sendalerts
    style): of two ticks running at once, one takes the stretch and the other gets nothing.
    """
    cursor, _ = TickCursor.objects.get_or_create(
        name=_FACTS_CURSOR, defaults={"facts_until": now - TICK_LOOKBACK}
    )
    since = cursor.facts_until
    if since >= now:
        return []
    moved = TickCursor.objects.filter(name=_FACTS_CURSOR, facts_until=since).update(facts_until=now)
    if not moved:
        return []
    return sorted(
        Observation.objects.filter(
            recorded_at__gt=since - FACTS_OVERLAP,
            recorded_at__lte=now,
            camera__office__isnull=False,
        )
        .values_list("camera__office_id", "office_date")
        .distinct()
    )


def refresh_changed_verdicts(now: datetime) -> list[JudgedDay]:
    """The provisional verdicts of every office day with new facts since the last tick.

    One refresh per office day per tick, however many checks landed; `now` is the tick's clock.
    """
    return refresh_verdicts(offices_with_new_facts(now), now)


@dataclass(frozen=True)
class TickReport:
    settled: int
    plan: TickResult
    refreshed: int
    alerts_raised: int
    alerts_to_deliver: list[int]


def run_tick(now: datetime) -> TickReport:
    """The one-minute compliance tick: settle expired slots, plan and claim due checks (and
    reclaim lost ones), refresh the verdicts of offices with new facts, raise their alerts
    and claim the undelivered alerts. The caller publishes the checks and the deliveries."""
    settled = settle_expired_checks(now)
    plan = plan_due_checks(now)
    judged = refresh_changed_verdicts(now)
    raised = sum(len(alerts.raise_alerts_for(day, now)) for day in judged)
    return TickReport(settled, plan, len(judged), raised, alerts.claim_undelivered_alerts(now))


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
    candidates = Office.objects.filter(active=True).select_related("kecamatan__local_government")
    if office_codes:
        candidates = candidates.filter(code__in=office_codes)
    offices = list(candidates)
    order = {office.pk: index for index, office in enumerate(offices)}
    rows = []
    day = first
    while day <= last:
        finished: list[tuple[int, date]] = []
        running: list[tuple[int, date]] = []
        for office in offices:
            end_of_day = datetime.combine(
                day + timedelta(days=1), datetime.min.time(), zone_of(office)
            )
            (finished if now >= end_of_day else running).append((office.pk, day))
        judged = [*refresh_verdicts(finished, None), *refresh_verdicts(running, now)]
        judged.sort(key=lambda judged_day: order[judged_day.office.pk])
        rows += [judged_day.row for judged_day in judged if judged_day.row is not None]
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
