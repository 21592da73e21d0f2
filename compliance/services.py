"""Compliance services: ORM rows in, domain values out, results persisted idempotently.

The pure rules live in compliance.domain; this module only loads what they need in a fixed
number of queries (never one per office), calls them, and writes the answers by natural key.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from agents.selectors import AGENT_WAIT_LIMIT, serving_office_ids
from cameras.domain.partitions import office_days_around
from cameras.models import Observation, ObservationStatus
from cameras.services import claim_lease
from compliance import alerts, claiming, domain, verdict_batches
from compliance.alerts import JudgedDay
from compliance.models import DailyVerdict, TickCursor, VerdictChange
from compliance.verdict_batches import check_result
from places.calendar import forget_cached_calendars
from places.models import Office

logger = logging.getLogger(__name__)

# Not judged yet: neither data nor a missing-data fact.
_UNSETTLED = {ObservationStatus.PENDING, ObservationStatus.RUNNING}
# How far back a tick looks for slots it may have missed (beat restart, slow tick).
TICK_LOOKBACK = timedelta(minutes=10)


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
    worker died. Running it twice for the same minute dispatches nothing new, and two ticks
    running at once dispatch each slot once. On PostgreSQL a fixed number of queries, whatever
    the number of offices (set-based, see compliance.claiming); SQLite inserts in statements of
    its parameter limit. `office_ids` limits the tick to
    some offices (replays). The caller publishes the messages and calls `release_dispatch` for
    those it could not publish.
    """
    claim = claiming.claim_due_checks(now - lookback, now, office_ids)
    to_dispatch = claim.dispatched
    if office_ids is None:
        to_dispatch += reclaim_lost_checks(now)
    return TickResult(claim.offices_considered, claim.slots_due, to_dispatch)


def redispatch_after() -> timedelta:
    """A dispatched slot still pending after this lost its message (broker restart, a tick
    killed between marking and publishing, a worker killed with the message prefetched): it is
    dispatched again while its window is open. A message merely queued behind others is
    dispatched twice at worst, and the check's claim runs it once."""
    return timedelta(seconds=settings.CHECK_REDISPATCH_SECONDS)


# A slot is handed to the broker at most this often (first dispatch included); a worker lost
# twice on the same slot settles it as an error rather than looping.
MAX_DISPATCHES = 3
# No check window is longer than this; older unsettled rows are the expiry's, not the reclaim's.
RECLAIM_HORIZON = timedelta(days=1)


def reclaim_lost_checks(now: datetime) -> list[tuple[int, datetime]]:
    """Dispatch again what was lost on the way, by conditional UPDATE (one statement on
    PostgreSQL, row by row elsewhere; a second tick running at once takes none of the same
    rows):

    - pending slots dispatched more than `redispatch_after()` ago (their message never arrived);
    - running slots whose claim is older than the check lease (the worker died without the
      broker noticing): back to pending for one more try, or settled as an error after
      MAX_DISPATCHES.

    Windows still open only; `settle_expired_checks` ends the others.
    """
    open_window = Q(
        expires_at__gt=now,
        slot__gt=now - RECLAIM_HORIZON,
        slot__lte=now,
        office_date__range=office_days_around(now - RECLAIM_HORIZON, now),
    )
    lost_worker = Q(status=ObservationStatus.RUNNING, claimed_at__lt=now - claim_lease())
    if connection.vendor == "postgresql":
        again = claiming.reclaim_in_one_statement(
            now,
            now - redispatch_after(),
            now - claim_lease(),
            now - RECLAIM_HORIZON,
            MAX_DISPATCHES,
        )
    else:
        again = _reclaim_row_by_row(now, open_window, lost_worker)
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


def _reclaim_row_by_row(
    now: datetime, open_window: Q, lost_worker: Q
) -> list[tuple[int, datetime]]:
    lost_message = Q(
        status=ObservationStatus.PENDING, dispatched_at__lt=now - redispatch_after()
    ) | Q(status=ObservationStatus.PENDING, dispatched_at__isnull=True)
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
    in progress. Batches of offices, a fixed number of queries per batch
    (compliance.verdict_batches); each verdict is upserted by its natural key (staff overrides
    are kept). Idempotent: the same observations give the same rows.
    """
    return verdict_batches.judge_office_days(office_days, now)


# How many days past their wait an office agent's days are still looked at (a beat that did not
# run for a while catches up).
WAITED_DAYS_CATCH_UP = 7


def finalise_waited_agent_days(now: datetime) -> list[JudgedDay]:
    """Judge final the days of offices an agent serves that waited AGENT_WAIT_LIMIT for it.

    The nightly finalisation leaves such a day provisional while its agent has not been in
    touch since the day ended; once the day ended more than AGENT_WAIT_LIMIT ago (deployment
    zone) it is judged on what arrived (no data where nothing did). Looks at the
    WAITED_DAYS_CATCH_UP dates past the limit and skips office days already final, so running
    it again changes nothing; records arriving later still reach the tick as new facts.
    """
    last = timezone.localdate(now) - AGENT_WAIT_LIMIT - timedelta(days=1)
    dates = [last - timedelta(days=n) for n in range(WAITED_DAYS_CATCH_UP)]
    offices = set(serving_office_ids().filter(office__active=True))
    final = set(
        DailyVerdict.objects.filter(
            office_id__in=offices, date__in=dates, is_final=True
        ).values_list("office_id", "date")
    )
    pairs = [(o, d) for o in sorted(offices) for d in dates if (o, d) not in final]
    return refresh_verdicts(pairs, None) if pairs else []


def refresh_daily_verdict(office_id: int, day: date, now: datetime | None) -> DailyVerdict | None:
    """Recompute and upsert the verdict of one office on its local date `day` (see
    `refresh_verdicts`). Returns None while nothing can be judged yet."""
    judged = refresh_verdicts([(office_id, day)], now)
    if not judged or judged[0].row is None:
        return None
    return DailyVerdict.objects.get(office_id=office_id, date=day)


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
    (and those of silent office agents) and claim the undelivered alerts. The caller publishes
    the checks and the deliveries."""
    settled = settle_expired_checks(now)
    plan = plan_due_checks(now)
    judged = refresh_changed_verdicts(now)
    raised = sum(len(alerts.raise_alerts_for(day, now)) for day in judged)
    raised += len(alerts.raise_agent_silence_alerts(now))
    return TickReport(settled, plan, len(judged), raised, alerts.claim_undelivered_alerts(now))


def recompute_verdicts(
    first: date, last: date, office_codes: Sequence[str] = (), now: datetime | None = None
) -> list[DailyVerdict]:
    """Recompute every verdict in [first, last] (after a detector upgrade or a new excuse).

    Offices in batches (a fixed number of queries per batch of offices and day); days not
    finished at `now` get a provisional verdict. Same observations, same answers. Rows come
    back by date, then office.
    """
    now = now or timezone.now()
    forget_cached_calendars()
    candidates = Office.objects.filter(active=True)
    if office_codes:
        candidates = candidates.filter(code__in=office_codes)
    rows: list[DailyVerdict] = []
    for offices in verdict_batches.office_batches(candidates):
        day = first
        while day <= last:
            finished, running = verdict_batches.split_by_day_end(offices.values(), day, now)
            judged = [
                *verdict_batches.judge_loaded(offices, finished, None),
                *verdict_batches.judge_loaded(offices, running, now),
            ]
            rows += [judged_day.row for judged_day in judged if judged_day.row is not None]
            day += timedelta(days=1)
    rows.sort(key=lambda row: (row.date, row.office_id))
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
