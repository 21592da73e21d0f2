"""The nightly final verdicts of a day, one batch of offices at a time, resumable.

A VerdictFinalisation row per local date is the cursor: each step locks it (FOR UPDATE SKIP
LOCKED, so two workers never work the same day at once and a second one simply leaves),
judges the next batch of active offices by id (compliance.verdict_batches: a fixed number of
queries), and moves the cursor in the same transaction. A step killed half-way leaves nothing
behind but its rolled-back transaction; the next step redoes that batch. Writes are upserts by
natural key, so a batch judged twice writes the same rows.

Indonesia has three zones: at 00:15 WITA the day of a WIB office has 45 minutes left. A batch
that holds an office whose day has not ended is judged for the offices whose day has, and the
cursor waits; the step says until when.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import F

from compliance import verdict_batches
from compliance.models import VerdictFinalisation
from places.models import Office

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FinalisationStep:
    day: date
    judged: int  # offices judged final by this step
    offices_final: int  # offices final so far (the cursor's count)
    done: bool  # every active office's verdict of `day` is final
    busy: bool = False  # another worker holds the day's cursor: leave it the work
    wait_until: datetime | None = None  # some offices' day is not over: come back then


def finalise_step(day: date, now: datetime, batch_size: int | None = None) -> FinalisationStep:
    """Write the final verdicts of the next batch of offices for `day`, move the cursor."""
    size = batch_size or verdict_batches.VERDICT_BATCH_SIZE
    run, _ = VerdictFinalisation.objects.get_or_create(
        date=day, defaults={"started_at": now, "updated_at": now}
    )
    if run.finished_at is not None:
        return FinalisationStep(day, 0, run.offices_final, done=True)
    with transaction.atomic():
        locked = (
            VerdictFinalisation.objects.select_for_update(skip_locked=True)
            .filter(pk=run.pk, finished_at__isnull=True)
            .first()
        )
        if locked is None:
            run.refresh_from_db()
            done = run.finished_at is not None
            return FinalisationStep(day, 0, run.offices_final, done=done, busy=not done)
        offices = next(
            verdict_batches.office_batches(
                Office.objects.filter(active=True), size, after=locked.after_office_id
            ),
            None,
        )
        if offices is None:
            locked.finished_at = locked.updated_at = now
            locked.save(update_fields=["finished_at", "updated_at"])
            logger.info(
                "verdicts: %s fully final: %d offices in %d batches, %.0f s after the start",
                day.isoformat(),
                locked.offices_final,
                locked.batches,
                (now - locked.started_at).total_seconds(),
            )
            return FinalisationStep(day, 0, locked.offices_final, done=True)
        finished, running = verdict_batches.split_by_day_end(offices.values(), day, now)
        verdict_batches.judge_loaded(offices, finished, None, keep_rows=False)
        if running:
            wait_until = min(
                verdict_batches.end_of_day(offices[office_id], day) for office_id, _ in running
            )
            return FinalisationStep(
                day, len(finished), locked.offices_final, done=False, wait_until=wait_until
            )
        VerdictFinalisation.objects.filter(pk=locked.pk).update(
            after_office_id=max(offices),
            offices_final=F("offices_final") + len(offices),
            batches=F("batches") + 1,
            updated_at=now,
        )
        return FinalisationStep(day, len(offices), locked.offices_final + len(offices), done=False)


def finalise_day(day: date, now: datetime, batch_size: int | None = None) -> FinalisationStep:
    """Every step of `day` in this process, until it is fully final or must wait (benchmarks,
    commands; the nightly task takes steps within its time budget instead)."""
    while True:
        step = finalise_step(day, now, batch_size)
        if step.done or step.busy or step.wait_until is not None:
            return step


def restart_finalisation(day: date) -> None:
    """Forget how far `day` got: the next step starts again from the first office (after a
    recompute of a day that was already final, or in benchmarks)."""
    VerdictFinalisation.objects.filter(date=day).delete()


def unfinished_days(since: date, stalled_before: datetime) -> list[date]:
    """The dates from `since` on whose finalisation started, did not finish and has not moved
    since `stalled_before`."""
    return list(
        VerdictFinalisation.objects.filter(
            date__gte=since, finished_at__isnull=True, updated_at__lt=stalled_before
        )
        .order_by("date")
        .values_list("date", flat=True)
    )


def started(day: date) -> bool:
    """Whether the finalisation of `day` was ever started (a cursor row exists)."""
    return VerdictFinalisation.objects.filter(date=day).exists()
