"""The nightly final verdicts through a real worker and broker: a chain of short tasks, each
handing on from the cursor, and a stopped chain resumed where it stopped."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.models import DailyVerdict, VerdictFinalisation
from compliance.tasks import finalise_daily_verdicts, resume_verdict_finalisations
from places.models import Office
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def finished(day) -> VerdictFinalisation | None:
    return VerdictFinalisation.objects.filter(date=day, finished_at__isnull=False).first()


def test_a_day_is_finalised_by_a_chain_of_tasks_each_one_batch_long(start_worker, kendari):
    offices = Office.objects.filter(active=True).count()
    day = timezone.localdate() - timedelta(days=2)
    # One batch of 10 offices per task: the day takes a chain of tasks through the broker.
    worker = start_worker(VERDICT_BATCH_SIZE="10", VERDICT_FINALISE_BUDGET_S="0")
    finalise_daily_verdicts.delay(day.isoformat())
    run = wait_for(lambda: finished(day), 120, "the day never became final")
    assert run.offices_final == offices
    assert run.batches == -(-offices // 10)
    assert DailyVerdict.objects.filter(date=day, is_final=True).count() == offices
    log = worker.log()
    assert log.count("Task compliance.tasks.finalise_daily_verdicts[") >= run.batches
    assert f"verdicts: {day.isoformat()} fully final: {offices} offices" in log


def test_a_stopped_finalisation_is_resumed_from_its_cursor(start_worker, kendari):
    offices = list(Office.objects.filter(active=True).order_by("pk"))
    day = timezone.localdate() - timedelta(days=2)
    long_ago = timezone.now() - timedelta(hours=1)
    # A chain that stopped after 30 offices (its worker gone, its next message lost).
    VerdictFinalisation.objects.create(
        date=day,
        after_office_id=offices[29].pk,
        offices_final=30,
        batches=1,
        started_at=long_ago,
        updated_at=long_ago,
    )
    start_worker(VERDICT_BATCH_SIZE="20")
    resume_verdict_finalisations.delay()
    run = wait_for(lambda: finished(day), 120, "the stopped day was not resumed")
    assert run.offices_final == len(offices)
    # Only the offices after the cursor were judged again.
    judged = set(DailyVerdict.objects.filter(date=day).values_list("office_id", flat=True))
    assert judged == {office.pk for office in offices[30:]}
