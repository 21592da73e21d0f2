"""The tick's claim, set-based: the due checks of 100,000 offices in a fixed number of statements.

Offices are read as plain rows (no model instances) and grouped by what decides their slots
(zone, resolved office day, check policy); the pure planner runs once per group, not once per
office. On PostgreSQL the due rows go in with one `INSERT ... SELECT FROM unnest(...)
ON CONFLICT DO NOTHING RETURNING`: a row this tick inserted is a row this tick dispatches, and
of two ticks running at once (a second beat by mistake) the one whose insert lost the race gets
nothing back, so each slot is claimed once. Other databases (SQLite, the no-server install) take
a portable path with the same result: `bulk_create(ignore_conflicts=True)`, then a conditional
UPDATE of the undispatched rows and a read of the rows it marked, inside one transaction.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef

from agents.selectors import serving_office_ids
from cameras.models import Camera, Observation, ObservationStatus
from compliance import domain
from places.calendar import load_government_calendars
from places.models import Office

# What the tick reads of an office, as one row.
_OFFICE_COLUMNS = (
    "pk",
    "kecamatan__local_government_id",
    "kecamatan__local_government__time_zone",
    "opening_interval_minutes",
    "open_checks_needed",
    "coverage_threshold",
    "after_hours_checks",
    "night_checks",
)
_PolicyFields = tuple[int, int, float, bool, bool]


def check_policy(
    office_id: int,
    opening_interval_minutes: int,
    open_checks_needed: int,
    coverage_threshold: float,
    after_hours_checks: bool,
    night_checks: bool,
) -> domain.CheckPolicy:
    """An office's check policy from its own fields; with CHECK_PHASE_SPREAD, its checks are
    moved by its stable phase within the opening interval (the same phase for every caller)."""
    interval = timedelta(minutes=opening_interval_minutes)
    spread = settings.CHECK_PHASE_SPREAD
    return domain.CheckPolicy(
        opening_interval=interval,
        open_checks_needed=open_checks_needed,
        coverage_threshold=coverage_threshold,
        after_hours_checks=after_hours_checks,
        night_checks=night_checks,
        phase=domain.office_phase(office_id, interval) if spread else timedelta(0),
    )


@dataclass(frozen=True)
class DueSlot:
    """One due slot shared by a group of offices (the same instant, kind and window)."""

    at: datetime
    kind: str
    expires_at: datetime
    office_date: date


@dataclass(frozen=True)
class DuePlan:
    """Due slots of every office: `slots` once each, `pairs` as (office id, index in slots)."""

    offices_considered: int
    slots: list[DueSlot]
    pairs: list[tuple[int, int]]


def plan_due(since: datetime, now: datetime, office_ids: Sequence[int] | None) -> DuePlan:
    """The due slots in (since, now] of every active office with an enabled camera.

    Six queries (offices, then the calendars of their governments), whatever the number of
    offices; the planner runs once per distinct (zone, office day, policy)."""
    has_camera = Exists(Camera.objects.filter(office_id=OuterRef("pk"), enabled=True))
    # An office an agent serves is checked by its agent, on the box's own clock.
    candidates = Office.objects.filter(has_camera, active=True).exclude(pk__in=serving_office_ids())
    if office_ids is not None:
        candidates = candidates.filter(pk__in=office_ids)
    rows: list[tuple[Any, ...]] = list(candidates.values_list(*_OFFICE_COLUMNS))
    if not rows:
        return DuePlan(0, [], [])
    zones = {zone_name: ZoneInfo(zone_name) for zone_name in {row[2] for row in rows}}
    dates = {name: domain.local_dates_for_tick(since, now, zone) for name, zone in zones.items()}
    all_dates = [day for days in dates.values() for day in days]
    calendars = load_government_calendars({row[1] for row in rows}, min(all_dates), max(all_dates))

    # Small-integer keys per office (hashing an OfficeDay or a CheckPolicy 100,000 times would
    # cost more than the planning): a distinct day and a distinct policy get an index once.
    day_index: dict[tuple[int, int, date], int] = {}
    distinct_days: dict[domain.OfficeDay, int] = {}
    policy_index: dict[tuple[int, tuple[Any, ...]], int] = {}
    distinct_policies: dict[domain.CheckPolicy, int] = {}
    groups: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    spread = settings.CHECK_PHASE_SPREAD
    for office_id, government_id, zone_name, *fields in rows:
        policy_fields = tuple(fields)
        phase = domain.office_phase(office_id, timedelta(minutes=fields[0])) if spread else None
        policy_key = (phase.seconds if phase is not None else 0, policy_fields)
        if (policy_at := policy_index.get(policy_key)) is None:
            policy = check_policy(office_id, *policy_fields)
            policy_at = policy_index[policy_key] = distinct_policies.setdefault(
                policy, len(distinct_policies)
            )
        owner = office_id if calendars.has_own_days(office_id) else 0
        for day in dates[zone_name]:
            if (day_at := day_index.get((government_id, owner, day))) is None:
                office_day = calendars.office_day_of(office_id, government_id, day)
                day_at = day_index[(government_id, owner, day)] = distinct_days.setdefault(
                    office_day, len(distinct_days)
                )
            groups[(zone_name, day_at, policy_at)].append(office_id)
    office_days, check_policies = list(distinct_days), list(distinct_policies)

    slots: list[DueSlot] = []
    index_of: dict[DueSlot, int] = {}
    pairs: list[tuple[int, int]] = []
    for (zone_name, day_at, policy_at), members in groups.items():
        zone = zones[zone_name]
        planned = [(0, office_days[day_at], check_policies[policy_at])]
        for _, slot in domain.plan_due_slots(planned, zone=zone, since=since, now=now):
            due = DueSlot(
                slot.at, slot.kind.value, slot.expires_at, slot.at.astimezone(zone).date()
            )
            if (index := index_of.get(due)) is None:
                index = index_of[due] = len(slots)
                slots.append(due)
            pairs.extend((office_id, index) for office_id in members)
    return DuePlan(len(rows), slots, pairs)


@dataclass(frozen=True)
class Claim:
    offices_considered: int
    slots_due: int  # (office, slot) pairs due, before cameras
    dispatched: list[tuple[int, datetime]]  # (observation id, expires at), new claims first


def claim_due_checks(
    since: datetime, now: datetime, office_ids: Sequence[int] | None = None
) -> Claim:
    """Insert the due observations of (since, now] and mark as dispatched, at `now`, every slot
    of that range still pending and undispatched; return those. Each slot is returned to one
    tick only, however many run at once. On PostgreSQL a fixed number of queries whatever the
    offices (SQLite: its bulk insert takes one statement per ~40 rows)."""
    plan = plan_due(since, now, office_ids)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            new = _insert_dispatched(plan, now)
            undispatched = _dispatch_undispatched(since, now, office_ids)
        else:
            _insert_portably(plan)
            new, undispatched = [], _dispatch_undispatched_portably(since, now, office_ids)
    return Claim(plan.offices_considered, len(plan.pairs), sorted(new) + sorted(undispatched))


# One statement for every due row: the offices' enabled cameras joined to the due slots, the
# rows born dispatched (dispatch 1 of MAX_DISPATCHES). ON CONFLICT on the natural key (camera,
# slot): a row another tick inserted first is not returned here. Every NOT NULL column of
# Observation is named (tests/compliance/test_claiming.py keeps this list in step).
_INSERT_DUE_SQL = """
INSERT INTO cameras_observation (
    camera_id, slot, office_date, kind, expires_at, status, dispatched_at, dispatch_count,
    detector_name, detector_version, frame_signature, health, people_signals, error_message,
    claim_token, attempts, created_at
)
SELECT c.id, s.slot, s.office_date, s.kind, s.expires_at, 'pending', %(now)s, 1,
       '', '', '', '{}'::jsonb, '{}'::jsonb, '', '', 0, %(now)s
FROM unnest(%(offices)s::bigint[], %(dues)s::int[]) AS d(office_id, due)
JOIN unnest(%(slots)s::timestamptz[], %(kinds)s::text[], %(expiries)s::timestamptz[],
            %(dates)s::date[]) WITH ORDINALITY AS s(slot, kind, expires_at, office_date, n)
  ON s.n = d.due + 1
JOIN cameras_camera c ON c.office_id = d.office_id AND c.enabled
ORDER BY c.id, s.slot
ON CONFLICT (camera_id, slot) DO NOTHING
RETURNING id, extract(epoch FROM expires_at)::float8
"""
INSERTED_COLUMNS = frozenset(
    _INSERT_DUE_SQL.split("(", 2)[1].split(")", 1)[0].replace("\n", "").replace(" ", "").split(",")
)


def _insert_dispatched(plan: DuePlan, now: datetime) -> list[tuple[int, datetime]]:
    if not plan.pairs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_DUE_SQL,
            {
                "now": now,
                # 100,000 integers as one array literal: a fraction of the cost of adapting
                # them one by one (they are ints from our own rows, never user text).
                "offices": _int_array(office_id for office_id, _ in plan.pairs),
                "dues": _int_array(due for _, due in plan.pairs),
                "slots": [slot.at for slot in plan.slots],
                "kinds": [slot.kind for slot in plan.slots],
                "expiries": [slot.expires_at for slot in plan.slots],
                "dates": [slot.office_date for slot in plan.slots],
            },
        )
        rows = cursor.fetchall()
    # Expiries come back as epoch seconds: the due slots share a few distinct values, and
    # parsing 100,000 timestamps would cost more than the insert.
    expiries = {slot.expires_at.timestamp(): slot.expires_at for slot in plan.slots}
    return [(pk, expiries.get(epoch) or datetime.fromtimestamp(epoch, UTC)) for pk, epoch in rows]


def _int_array(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


# Slots of the range inserted earlier but not (or no longer) dispatched: a message the broker
# refused (release_dispatch), a row written by another path. Under READ COMMITTED a second tick
# waiting on the same rows re-reads `dispatched_at IS NULL` after the first commits: no row twice.
_DISPATCH_UNDISPATCHED_SQL = """
UPDATE cameras_observation SET dispatched_at = %(now)s, dispatch_count = dispatch_count + 1
WHERE status = 'pending' AND dispatched_at IS NULL AND slot > %(since)s AND slot <= %(now)s
  AND expires_at > %(now)s
  AND (%(all)s OR camera_id IN (SELECT id FROM cameras_camera WHERE office_id = ANY(%(ids)s)))
RETURNING id, expires_at
"""


def _dispatch_undispatched(
    since: datetime, now: datetime, office_ids: Sequence[int] | None
) -> list[tuple[int, datetime]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _DISPATCH_UNDISPATCHED_SQL,
            {
                "now": now,
                "since": since,
                "all": office_ids is None,
                "ids": list(office_ids or []),
            },
        )
        return list(cursor.fetchall())


def _insert_portably(plan: DuePlan) -> None:
    cameras: dict[int, list[int]] = defaultdict(list)
    offices = {office_id for office_id, _ in plan.pairs}
    rows = Camera.objects.filter(enabled=True, office_id__in=offices).values_list("pk", "office_id")
    for camera_id, office_id in rows:
        cameras[office_id].append(camera_id)
    Observation.objects.bulk_create(
        (
            Observation(
                camera_id=camera_id,
                slot=plan.slots[due].at,
                office_date=plan.slots[due].office_date,
                kind=plan.slots[due].kind,
                expires_at=plan.slots[due].expires_at,
            )
            for office_id, due in plan.pairs
            for camera_id in cameras[office_id]
        ),
        batch_size=500,
        ignore_conflicts=True,
    )


def _dispatch_undispatched_portably(
    since: datetime, now: datetime, office_ids: Sequence[int] | None
) -> list[tuple[int, datetime]]:
    """Mark first, then read what was marked: the UPDATE takes SQLite's write lock for the rest
    of the transaction, so no other tick marks the same rows in between."""
    undispatched = Observation.objects.filter(
        slot__gt=since,
        slot__lte=now,
        status=ObservationStatus.PENDING,
        dispatched_at__isnull=True,
        expires_at__gt=now,
    )
    if office_ids is not None:
        undispatched = undispatched.filter(camera__office_id__in=office_ids)
    marked = undispatched.update(dispatched_at=now, dispatch_count=F("dispatch_count") + 1)
    if not marked:
        return []
    dispatched = Observation.objects.filter(
        slot__gt=since, slot__lte=now, status=ObservationStatus.PENDING, dispatched_at=now
    )
    if office_ids is not None:
        dispatched = dispatched.filter(camera__office_id__in=office_ids)
    return list(dispatched.values_list("pk", "expires_at"))  # type: ignore[arg-type]


def group_checks(
    dispatched: Sequence[tuple[int, datetime]], size: int
) -> list[list[tuple[int, datetime]]]:
    """Dispatched checks in groups of at most `size` (one broker message each), the checks
    that expire first in the first groups, so a group's checks expire close together."""
    ordered = sorted(dispatched, key=lambda check: (check[1], check[0]))
    step = max(1, size)
    return [ordered[start : start + step] for start in range(0, len(ordered), step)]


# The reclaim in one statement (PostgreSQL): pending slots whose message was lost, running
# slots whose worker died, windows still open, dispatched fewer than `max` times. Each row is
# taken from the state it is in when the UPDATE reaches it (READ COMMITTED re-checks the WHERE
# on a row another tick or a check changed meanwhile), so of two ticks one takes it.
_RECLAIM_SQL = """
UPDATE cameras_observation
SET status = 'pending', claim_token = '', dispatched_at = %(now)s,
    dispatch_count = dispatch_count + 1
WHERE expires_at > %(now)s AND slot > %(horizon)s AND slot <= %(now)s
  AND dispatch_count < %(max)s
  AND ((status = 'pending' AND (dispatched_at < %(lost_before)s OR dispatched_at IS NULL))
       OR (status = 'running' AND claimed_at < %(lease_before)s))
RETURNING id, expires_at
"""


def reclaim_in_one_statement(
    now: datetime, lost_before: datetime, lease_before: datetime, horizon: datetime, most: int
) -> list[tuple[int, datetime]]:
    """`services.reclaim_lost_checks`' claim on PostgreSQL: one UPDATE whatever the number of
    lost checks (after a broker restart, thousands)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _RECLAIM_SQL,
            {
                "now": now,
                "lost_before": lost_before,
                "lease_before": lease_before,
                "horizon": horizon,
                "max": most,
            },
        )
        return sorted(cursor.fetchall())
