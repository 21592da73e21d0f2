"""The tick's claim, set-based: the due checks of 100,000 offices in a fixed number of statements.

Offices are grouped by what decides their slots (zone, resolved office day, check policy); the
pure planner runs once per group, not once per office. On PostgreSQL the database does the
grouping (one GROUP BY; the per-office phase computed in SQL) and no office row comes to Python:
the due rows go in with one `INSERT ... SELECT` joining the offices to their group's due slots
(`unnest`) and their cameras, `ON CONFLICT DO NOTHING RETURNING`: a row this tick inserted is
a row this tick dispatches, and of two ticks running at once (a second beat by mistake) the one
whose insert lost the race gets nothing back, so each slot is claimed once. Other databases
(SQLite, the no-server install) take a portable path with the same result (the offices read as
plain rows and grouped in Python): `bulk_create(ignore_conflicts=True)`, then a conditional
UPDATE of the undispatched rows and a read of the rows it marked, inside one transaction.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef

from agents.selectors import serving_office_ids
from cameras.domain.partitions import office_days_around
from cameras.models import Camera, Observation, ObservationStatus
from compliance import domain
from compliance.domain.spread import PHASE_MULTIPLIER, PHASE_WORD
from places.calendar import load_government_calendars
from places.models import LocalGovernment, Office

if TYPE_CHECKING:
    from django.db.models import QuerySet

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


def _candidates(office_ids: Sequence[int] | None, with_camera: bool = True) -> "QuerySet[Office]":
    """The offices the tick checks: active, with an enabled camera (unless the caller joins
    the cameras itself), not served by an agent."""
    # An office an agent serves is checked by its agent, on the box's own clock.
    candidates = Office.objects.filter(active=True).exclude(pk__in=serving_office_ids())
    if with_camera:
        has_camera = Exists(Camera.objects.filter(office_id=OuterRef("pk"), enabled=True))
        candidates = candidates.filter(has_camera)
    if office_ids is not None:
        candidates = candidates.filter(pk__in=office_ids)
    return candidates


def plan_due(since: datetime, now: datetime, office_ids: Sequence[int] | None) -> DuePlan:
    """The due slots in (since, now] of every active office with an enabled camera.

    Six queries (offices, then the calendars of their governments), whatever the number of
    offices; the planner runs once per distinct (zone, office day, policy)."""
    rows: list[tuple[Any, ...]] = list(_candidates(office_ids).values_list(*_OFFICE_COLUMNS))
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
        for index in _slot_indexes(planned, zone, since, now, slots, index_of):
            pairs.extend((office_id, index) for office_id in members)
    return DuePlan(len(rows), slots, pairs)


# PostgreSQL plans by group without reading the offices: the database groups them by what
# decides their slots (government, own calendar or not, check policy, phase), the planner runs
# once per group, and the INSERT joins the offices to their group's due slots. The phase is
# `domain.office_phase` in SQL (the same integers: numeric for the product, then a shift).
_GROUP_COLUMNS = ("gov", "own", "iv", "oc", "cov", "ah", "nc", "phase")
_GroupKey = tuple[int, int, int, int, float, bool, bool, int]


def _slot_indexes(
    planned: list[tuple[int, domain.OfficeDay, domain.CheckPolicy]],
    zone: ZoneInfo,
    since: datetime,
    now: datetime,
    slots: list[DueSlot],
    index_of: dict[DueSlot, int],
) -> list[int]:
    """The due slots of `planned` in (since, now] as indexes into `slots`, each distinct slot
    appended once (the insert's arrays name slots by index)."""
    indexes = []
    for _, slot in domain.plan_due_slots(planned, zone=zone, since=since, now=now):
        due = DueSlot(slot.at, slot.kind.value, slot.expires_at, slot.at.astimezone(zone).date())
        if (index := index_of.get(due)) is None:
            index = index_of[due] = len(slots)
            slots.append(due)
        indexes.append(index)
    return indexes


def phase_sql(office_id: str, interval_minutes: str) -> str:
    """`domain.office_phase(office_id, timedelta(minutes=interval_minutes))` in seconds, as a
    PostgreSQL expression over these two columns (the product in numeric: no overflow)."""
    return (
        f"((mod({office_id}::numeric * {PHASE_MULTIPLIER}, {PHASE_WORD}))::bigint"
        f" * ({interval_minutes} * 60)) >> 32"
    )


def _grouped_offices_sql(
    office_ids: Sequence[int] | None, with_camera: bool = True
) -> tuple[str, list[Any]]:
    """The candidate offices as (id, group key...) rows: SQL and its positional parameters
    (the first placeholder is the own-calendar office ids, an array, then the candidates')."""
    inner, params = (
        _candidates(office_ids, with_camera)
        .order_by()
        .values_list("pk", *_OFFICE_COLUMNS[1:2], *_OFFICE_COLUMNS[3:])
        .query.sql_with_params()
    )
    phase = phase_sql("o.id", "o.iv") if settings.CHECK_PHASE_SPREAD else "0"
    # The candidates' SQL is the ORM's, the phase constants are ours; every value a parameter.
    sql = (
        "SELECT o.id, o.gov, CASE WHEN o.id = ANY(%s::bigint[]) THEN o.id ELSE 0 END AS own,"  # noqa: S608
        f" o.iv, o.oc, o.cov, o.ah, o.nc, ({phase})::int AS phase"
        f" FROM ({inner}) AS o(id, gov, iv, oc, cov, ah, nc)"
    )
    return sql, [*params]


@dataclass(frozen=True)
class GroupPlan:
    """Due slots by group: `slots` once each, `dues` as (group key, index in slots)."""

    offices_considered: int
    slots_due: int  # (office, slot) pairs
    slots: list[DueSlot]
    dues: list[tuple[_GroupKey, int]]
    # Offices with their own calendar (each its own group): the insert groups by the same list,
    # or an office with its own hours and nothing due would fall into its government's group.
    own: list[int]


def plan_due_groups(since: datetime, now: datetime, office_ids: Sequence[int] | None) -> GroupPlan:
    """`plan_due` on PostgreSQL without one row per office in Python: seven queries (the
    governments, their calendars, the offices counted per group) whatever the number of
    offices; the planner runs once per group. The same slots as `plan_due`."""
    governments = dict(LocalGovernment.objects.values_list("pk", "time_zone"))
    if not governments:
        return GroupPlan(0, 0, [], [], [])
    zones = {name: ZoneInfo(name) for name in set(governments.values())}
    dates = {name: domain.local_dates_for_tick(since, now, zone) for name, zone in zones.items()}
    all_dates = [day for days in dates.values() for day in days]
    calendars = load_government_calendars(governments, min(all_dates), max(all_dates))
    own = sorted({*calendars.office_hours, *calendars.excuses})
    offices_sql, params = _grouped_offices_sql(office_ids)
    columns = ", ".join(_GROUP_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, count(*) FROM ({offices_sql}) AS g GROUP BY {columns}",  # noqa: S608 (column names are constants; every value a parameter)
            [own, *params],
        )
        groups: list[tuple[Any, ...]] = cursor.fetchall()

    slots: list[DueSlot] = []
    index_of: dict[DueSlot, int] = {}
    dues: list[tuple[_GroupKey, int]] = []
    office_days: dict[tuple[int, int, date], domain.OfficeDay] = {}
    considered = slots_due = 0
    for *fields, members in groups:
        key: _GroupKey = tuple(fields)
        government_id, owner, interval, checks, coverage, after_hours, night, phase = key
        considered += members
        zone_name = governments[government_id]
        policy = domain.CheckPolicy(
            opening_interval=timedelta(minutes=interval),
            open_checks_needed=checks,
            coverage_threshold=coverage,
            after_hours_checks=after_hours,
            night_checks=night,
            phase=timedelta(seconds=phase),
        )
        planned = []
        for day in dates[zone_name]:
            if (office_day := office_days.get((government_id, owner, day))) is None:
                # Office 0 stands for any office of the government without its own calendar.
                office_day = office_days[(government_id, owner, day)] = calendars.office_day_of(
                    owner, government_id, day
                )
            planned.append((0, office_day, policy))
        zone = zones[zone_name]
        for index in _slot_indexes(planned, zone, since, now, slots, index_of):
            dues.append((key, index))
            slots_due += members
    return GroupPlan(considered, slots_due, slots, dues, own)


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
    if connection.vendor == "postgresql":
        groups = plan_due_groups(since, now, office_ids)
        with transaction.atomic():
            new = _insert_grouped(groups, office_ids, now)
            undispatched = _dispatch_undispatched(since, now, office_ids)
        return Claim(groups.offices_considered, groups.slots_due, new + sorted(undispatched))
    plan = plan_due(since, now, office_ids)
    with transaction.atomic():
        _insert_portably(plan)
        undispatched = _dispatch_undispatched_portably(since, now, office_ids)
    return Claim(plan.offices_considered, len(plan.pairs), sorted(undispatched))


# Every NOT NULL column of Observation is named (tests/compliance/test_claiming.py keeps this
# list in step); the rows are born dispatched (dispatch 1 of MAX_DISPATCHES).
_INSERTED_COLUMNS_SQL = """camera_id, slot, office_date, kind, expires_at, status, dispatched_at,
    dispatch_count, detector_name, detector_version, frame_signature, health, people_signals,
    error_message, claim_token, attempts, created_at"""
INSERTED_COLUMNS = frozenset(_INSERTED_COLUMNS_SQL.replace("\n", "").replace(" ", "").split(","))


# One statement for every due row: the offices joined to their group's due slots and to their
# enabled cameras. ON CONFLICT on the natural key (camera, slot, office day): a row another
# tick inserted first is not returned here, so a row this tick inserted is a row this tick
# dispatches.
_INSERT_GROUPED_SQL = """
WITH g(gov, own, iv, oc, cov, ah, nc, phase, due) AS (
  SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::int[], %s::float8[],
                       %s::bool[], %s::bool[], %s::int[], %s::int[])
), s AS (
  SELECT * FROM unnest(%s::timestamptz[], %s::text[], %s::timestamptz[], %s::date[])
    WITH ORDINALITY AS s(slot, kind, expires_at, office_date, n)
)
INSERT INTO cameras_observation ({columns})
SELECT c.id, s.slot, s.office_date, s.kind, s.expires_at, 'pending', %s, 1,
       '', '', '', '{{}}'::jsonb, '{{}}'::jsonb, '', '', 0, %s
FROM ({offices}) AS o
JOIN g USING (gov, own, iv, oc, cov, ah, nc, phase)
JOIN s ON s.n = g.due + 1
JOIN cameras_camera c ON c.office_id = o.id AND c.enabled
ORDER BY c.id, s.slot
ON CONFLICT (camera_id, slot, office_date) DO NOTHING
RETURNING id, extract(epoch FROM expires_at)::float8
"""


_SORT_MEMORY = "64MB"


def _insert_grouped(
    plan: GroupPlan, office_ids: Sequence[int] | None, now: datetime
) -> list[tuple[int, datetime]]:
    """One statement: every due row of every group, born dispatched; only this tick's inserts
    come back (sorted by id: the insert goes in camera order)."""
    if not plan.dues:
        return []
    # The join to the enabled cameras below stands for the candidates' "has a camera".
    offices_sql, params = _grouped_offices_sql(office_ids, with_camera=False)
    columns = [list(column) for column in zip(*(key for key, _ in plan.dues), strict=True)]
    sql = _INSERT_GROUPED_SQL.format(columns=_INSERTED_COLUMNS_SQL, offices=offices_sql)
    with connection.cursor() as cursor:
        # The rows are sorted in camera order before they go in (two ticks at once then wait
        # on each other's rows in the same order): in memory, not in temporary files.
        cursor.execute(f"SET LOCAL work_mem = '{_SORT_MEMORY}'")
        cursor.execute(
            sql,
            [
                *columns,
                [due for _, due in plan.dues],
                [slot.at for slot in plan.slots],
                [slot.kind for slot in plan.slots],
                [slot.expires_at for slot in plan.slots],
                [slot.office_date for slot in plan.slots],
                now,
                now,
                plan.own,
                *params,
            ],
        )
        rows = cursor.fetchall()
    return _with_expiries(rows, plan.slots)


def _with_expiries(
    rows: list[tuple[int, float]], slots: list[DueSlot]
) -> list[tuple[int, datetime]]:
    # Expiries come back as epoch seconds: the due slots share a few distinct values, and
    # parsing 100,000 timestamps would cost more than the insert.
    expiries = {slot.expires_at.timestamp(): slot.expires_at for slot in slots}
    rows.sort()
    return [(pk, expiries.get(epoch) or datetime.fromtimestamp(epoch, UTC)) for pk, epoch in rows]


# Slots of the range inserted earlier but not (or no longer) dispatched: a message the broker
# refused (release_dispatch), a row written by another path. Under READ COMMITTED a second tick
# waiting on the same rows re-reads `dispatched_at IS NULL` after the first commits: no row twice.
_DISPATCH_UNDISPATCHED_SQL = """
UPDATE cameras_observation SET dispatched_at = %(now)s, dispatch_count = dispatch_count + 1
WHERE status = 'pending' AND dispatched_at IS NULL AND slot > %(since)s AND slot <= %(now)s
  AND office_date BETWEEN %(first_day)s AND %(last_day)s AND expires_at > %(now)s
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
                **_office_days(since, now),
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
  AND office_date BETWEEN %(first_day)s AND %(last_day)s AND dispatch_count < %(max)s
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
                **_office_days(horizon, now),
                "lost_before": lost_before,
                "lease_before": lease_before,
                "horizon": horizon,
                "max": most,
            },
        )
        return sorted(cursor.fetchall())


def _office_days(start: datetime, end: datetime) -> dict[str, date]:
    """The office-day bounds of a slot range, so PostgreSQL reads only their partitions."""
    first_day, last_day = office_days_around(start, end)
    return {"first_day": first_day, "last_day": last_day}
