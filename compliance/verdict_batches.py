"""Verdicts in bulk: office days judged a batch of offices at a time.

A batch costs a fixed number of queries whatever its size: its offices (1), their calendars
(load_calendars: 5), their cameras and settled observations of the batch's dates (2), one
upsert of the verdicts (INSERT ... ON CONFLICT (office, date) DO UPDATE), and the security
events (2). The pure rules (compliance.domain.decide_verdict) decide exactly as they do for
one office, so a batch gives the same verdicts as office-by-office refreshes. Staff overrides
are never touched (the upsert leaves the override columns alone).
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from agents.selectors import judging_clock, last_contacts
from cameras.models import Camera, Observation, ObservationStatus
from compliance import claiming, domain
from compliance.alerts import JudgedDay
from compliance.models import VERDICT_COMPUTED_FIELDS, DailyVerdict, SecurityEvent
from places.calendar import load_calendars, zone_of
from places.models import Office

# Offices judged per batch: large enough that the fixed queries cost little per office, small
# enough that a batch (2,000 offices x 42 checks = 84,000 observations) takes a second or two.
VERDICT_BATCH_SIZE = 2000

# Observation statuses that mean "the camera delivered a usable frame".
_USABLE = {ObservationStatus.OK}
# Not judged yet: neither data nor a missing-data fact.
UNSETTLED = (ObservationStatus.PENDING, ObservationStatus.RUNNING)


def check_policy_for(office: Office) -> domain.CheckPolicy:
    """The office's check policy: the tick's own (compliance.claiming.check_policy, phase
    included), so the verdict expects exactly the slots the tick planned."""
    fields = (
        office.opening_interval_minutes,
        office.open_checks_needed,
        office.coverage_threshold,
        office.after_hours_checks,
        office.night_checks,
    )
    if settings.CHECK_PHASE_SPREAD:
        return claiming.check_policy(office.pk, *fields)
    return _shared_policy(*fields)


# Offices share a handful of policies; a policy is frozen, so one value serves them all
# (building and validating one per office cost as much as judging its day).
@lru_cache(maxsize=256)
def _shared_policy(
    interval_minutes: int, checks_needed: int, threshold: float, after_hours: bool, night: bool
) -> domain.CheckPolicy:
    return domain.CheckPolicy(
        opening_interval=timedelta(minutes=interval_minutes),
        open_checks_needed=checks_needed,
        coverage_threshold=threshold,
        after_hours_checks=after_hours,
        night_checks=night,
    )


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


def offices_for_judging(office_ids: Iterable[int]) -> dict[int, Office]:
    """The offices with what judging needs (their government's zone and calendar); 1 query."""
    return {
        office.pk: office
        for office in Office.objects.filter(pk__in=set(office_ids)).select_related(
            "kecamatan__local_government"
        )
    }


def office_batches(
    offices: QuerySet[Office], size: int = VERDICT_BATCH_SIZE, after: int = 0
) -> Iterator[dict[int, Office]]:
    """`offices` in batches of `size` by id (keyset: each batch one query, however deep)."""
    while True:
        batch = list(
            offices.filter(pk__gt=after)
            .select_related("kecamatan__local_government")
            .order_by("pk")[:size]
        )
        if not batch:
            return
        yield {office.pk: office for office in batch}
        after = batch[-1].pk


def end_of_day(office: Office, day: date) -> datetime:
    """The instant the office's local date `day` ends (midnight in its own zone)."""
    return datetime.combine(day + timedelta(days=1), time.min, zone_of(office))


def split_by_day_end(
    offices: Iterable[Office], day: date, now: datetime
) -> tuple[list[tuple[int, date]], list[tuple[int, date]]]:
    """(finished, running): the offices' day `day`, split by whether it has ended at `now`."""
    finished: list[tuple[int, date]] = []
    running: list[tuple[int, date]] = []
    for office in offices:
        (finished if now >= end_of_day(office, day) else running).append((office.pk, day))
    return finished, running


def judge_office_days(
    office_days: Iterable[tuple[int, date]], now: datetime | None
) -> list[JudgedDay]:
    """Judge and upsert the verdicts of these (office id, local date) pairs, in batches of
    VERDICT_BATCH_SIZE offices (a fixed number of queries per batch).

    `now=None` judges finished days (final); an aware `now` gives provisional verdicts of days
    in progress. Unknown offices are skipped. Idempotent.
    """
    pairs = sorted(set(office_days))
    office_ids = sorted({office_id for office_id, _ in pairs})
    judged: list[JudgedDay] = []
    for start in range(0, len(office_ids), VERDICT_BATCH_SIZE):
        batch_ids = set(office_ids[start : start + VERDICT_BATCH_SIZE])
        offices = offices_for_judging(batch_ids)
        judged += judge_loaded(offices, [pair for pair in pairs if pair[0] in batch_ids], now)
    return judged


def _judging_clock(
    contacts: Mapping[int, datetime | None],
    office_id: int,
    day: date,
    zone: ZoneInfo,
    now: datetime | None,
    real_now: datetime,
) -> datetime | None:
    """The clock an office's day is judged by: `now`, except for an agent office, whose day the
    server knows only up to the agent's last contact (it stays provisional until then)."""
    if office_id not in contacts:
        return now
    start = datetime.combine(day, time.min, zone)
    waiting = judging_clock(contacts[office_id], start, start + timedelta(days=1), real_now)
    return now if waiting is None else min(waiting, now or waiting)


def judge_loaded(
    offices: Mapping[int, Office],
    pairs: Sequence[tuple[int, date]],
    now: datetime | None,
    keep_rows: bool = True,
) -> list[JudgedDay]:
    """Judge and upsert the office days of already loaded offices (one batch, one transaction).

    Nine queries whatever the number of pairs: calendars (5), cameras and observations (2), verdict
    upsert (1, none when nothing can be judged yet), security events (2, fewer when none).
    `keep_rows=False` (the nightly finalisation) leaves `JudgedDay.row` None: on PostgreSQL the
    verdicts then go in as column arrays, without a model instance per office day.
    """
    pairs = [pair for pair in pairs if pair[0] in offices]
    if not pairs:
        return []
    days = {day for _, day in pairs}
    calendars = load_calendars(list(offices.values()), min(days), max(days))
    checks_by_day = _settled_checks(offices, days)
    contacts = last_contacts(list(offices))
    real_now = now or timezone.now()
    judged: list[JudgedDay] = []
    verdict_values: list[tuple[object, ...]] = []
    events: list[SecurityEvent] = []
    presence_by_pair: dict[tuple[int, date], list[domain.CheckResult]] = {}
    decided: list[tuple[Office, date, domain.OfficeDay, list[domain.CheckResult], domain.Verdict]]
    decided = []
    for office_id, day in pairs:
        office = offices[office_id]
        zone = zone_of(office)
        policy = check_policy_for(office)
        office_day = calendars.office_day(office, day)
        checks = checks_by_day.get((office_id, day), [])
        checks.sort(key=lambda check: (check.slot, check.observation_id or 0))
        verdict = domain.decide_verdict(
            office_day,
            checks,
            policy,
            _judging_clock(contacts, office_id, day, zone, now, real_now),
            zone=zone,
        )
        presence = domain.find_after_hours_presence(office_day, checks, policy, zone=zone)
        presence_by_pair[(office_id, day)] = presence
        events += [
            SecurityEvent(
                office=office,
                observation_id=check.observation_id,
                occurred_at=check.slot,
                people=check.people,
            )
            for check in presence
            if check.observation_id is not None
        ]
        if verdict.kind is not None:
            verdict_values.append(
                _verdict_values(office_id, day, office_day, verdict, verdict.kind, zone)
            )
        decided.append((office, day, office_day, checks, verdict))
    with transaction.atomic():
        rows: dict[tuple[int, date], DailyVerdict] = {}
        if verdict_values and not keep_rows and connection.vendor == "postgresql":
            _upsert_verdict_values(verdict_values)
        elif verdict_values:
            upserted = DailyVerdict.objects.bulk_create(
                [_verdict_row(values, offices[values[0]]) for values in verdict_values],  # type: ignore[index]
                update_conflicts=True,
                unique_fields=["office", "date"],
                update_fields=list(VERDICT_COMPUTED_FIELDS),
            )
            if keep_rows:
                rows = {(row.office_id, row.date): row for row in upserted}
        known: set[int] = set()
        if events:
            known = set(
                SecurityEvent.objects.filter(
                    observation_id__in=[event.observation_id for event in events]
                ).values_list("observation_id", flat=True)
            )
            SecurityEvent.objects.bulk_create(events, ignore_conflicts=True)
    for office, day, _office_day, checks, verdict in decided:
        new_after_hours = [
            check
            for check in presence_by_pair[(office.pk, day)]
            if check.observation_id not in known
        ]
        judged.append(
            JudgedDay(
                office,
                day,
                verdict,
                checks,
                new_after_hours,
                check_policy_for(office),
                zone_of(office),
                rows.get((office.pk, day)),
            )
        )
    return judged


def _settled_checks(
    offices: Mapping[int, Office], days: set[date]
) -> dict[tuple[int, date], list[domain.CheckResult]]:
    """The settled observations of these offices on these local dates, by office day; 2
    queries. The observations are asked for by camera and date, so that PostgreSQL reads them
    through the (office_date, camera) index rather than scanning every row of the date."""
    office_of_camera = dict(
        Camera.objects.filter(office_id__in=list(offices)).values_list("pk", "office_id")
    )
    checks: dict[tuple[int, date], list[domain.CheckResult]] = defaultdict(list)
    if not office_of_camera:
        return checks
    if connection.vendor == "postgresql":
        return _settled_checks_postgresql(office_of_camera, sorted(days))
    rows = (
        Observation.objects.filter(camera_id__in=list(office_of_camera), office_date__in=days)
        .exclude(status__in=UNSETTLED)
        .values_list("camera_id", "office_date", "pk", "slot", "status", "people_in_zone")
    )
    for camera_id, office_date, pk, slot, status, people in rows:
        checks[(office_of_camera[camera_id], office_date)].append(
            check_result(pk, slot, status, people)
        )
    return checks


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _settled_checks_postgresql(
    office_of_camera: Mapping[int, int], days: list[date]
) -> dict[tuple[int, date], list[domain.CheckResult]]:
    """`_settled_checks`' result from one query, read the cheap way: each slot as microseconds
    since the epoch (Django's time-zone aware timestamp loader is pure Python and cost 10 us a
    row, more than everything else in judging a check; slots repeat, every office has the same
    grid, so each distinct instant is built once) and `check_result`'s reading of the status
    and people done in SQL (usable: status 'ok'; people 0 unless usable)."""
    instants: dict[int, datetime] = {}
    checks: dict[tuple[int, date], list[domain.CheckResult]] = defaultdict(list)
    usable = [str(status) for status in _USABLE]
    ok, no_data = domain.CheckStatus.OK, domain.CheckStatus.NO_DATA
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT camera_id, office_date, id,
                (EXTRACT(EPOCH FROM slot) * 1000000)::bigint, status = ANY(%s),
                CASE WHEN status = ANY(%s) THEN coalesce(people_in_zone, 0) ELSE 0 END
            FROM {Observation._meta.db_table}
            WHERE camera_id = ANY(%s) AND office_date = ANY(%s) AND NOT (status = ANY(%s))
            """,  # noqa: S608 (the table name from the model; every value is a parameter)
            [usable, usable, list(office_of_camera), days, [str(status) for status in UNSETTLED]],
        )
        for camera_id, office_date, pk, micros, is_usable, people in cursor.fetchall():
            slot = instants.get(micros)
            if slot is None:
                slot = instants[micros] = _EPOCH + timedelta(microseconds=micros)
            checks[(office_of_camera[camera_id], office_date)].append(
                domain.CheckResult(slot, ok if is_usable else no_data, people, pk)
            )
    return checks


# The columns of a verdict row that `_verdict_values` gives, in its order: the key, then what
# the engine computes (computed_at is the writer's clock, not the verdict's).
_VERDICT_VALUE_FIELDS = (
    "office_id",
    "date",
    *(field for field in VERDICT_COMPUTED_FIELDS if field != "computed_at"),
)


def _verdict_values(
    office_id: int,
    day: date,
    office_day: domain.OfficeDay,
    verdict: domain.Verdict,
    kind: domain.VerdictKind,
    zone: ZoneInfo,
) -> tuple[object, ...]:
    """The computed columns of the office day's verdict row (see _VERDICT_VALUE_FIELDS)."""
    scheduled_open = None
    if office_day.hours is not None:
        scheduled_open = datetime.combine(day, office_day.hours.open, tzinfo=zone).astimezone(UTC)
    return (
        office_id,
        day,
        kind.value,
        verdict.state is domain.VerdictState.FINAL,
        scheduled_open,
        verdict.opened_at,
        verdict.minutes_late,
        round(verdict.coverage, 4),
        verdict.first_arrival,
        verdict.staffed_share,
        list(verdict.evidence_observation_ids),
        verdict.reason.value,
    )


def _verdict_row(values: tuple[object, ...], office: Office) -> DailyVerdict:
    fields = dict(zip(_VERDICT_VALUE_FIELDS, values, strict=True))
    del fields["office_id"]
    return DailyVerdict(office=office, **fields)


# The upsert without model instances (PostgreSQL): the same columns set from EXCLUDED as the
# ORM's bulk_create(update_conflicts=True) over VERDICT_COMPUTED_FIELDS; overrides untouched.
_UPSERT_VERDICTS_SQL = f"""
INSERT INTO {DailyVerdict._meta.db_table} (
    {", ".join(_VERDICT_VALUE_FIELDS)}, computed_at, override_status, override_reason
)
SELECT v.*, %s, '', ''
FROM unnest(%s::bigint[], %s::date[], %s::text[], %s::bool[], %s::timestamptz[],
            %s::timestamptz[], %s::int[], %s::float8[], %s::timestamptz[], %s::float8[],
            %s::jsonb[], %s::text[]) AS v
ON CONFLICT (office_id, date) DO UPDATE SET
    {", ".join(f"{field} = EXCLUDED.{field}" for field in VERDICT_COMPUTED_FIELDS)}
"""  # noqa: S608 (table and column names from the model; every value is a parameter)


def _upsert_verdict_values(values: list[tuple[object, ...]]) -> None:
    """One statement for a batch's verdicts, the values as one array per column."""
    columns: list[list[object]] = [list(column) for column in zip(*values, strict=True)]
    evidence = _VERDICT_VALUE_FIELDS.index("evidence_observation_ids")
    columns[evidence] = [json.dumps(ids) for ids in columns[evidence]]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_VERDICTS_SQL, [timezone.now(), *columns])
