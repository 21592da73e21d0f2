"""The nightly final verdicts: batch by batch from a cursor, resumable, waiting for the west."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from compliance import finalisation, tasks, verdict_batches
from compliance.models import DailyVerdict, VerdictFinalisation
from places.models import Kecamatan, LocalGovernment, Office

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)
# The night after: 00:15 WITA, when the beat starts the finalisation.
NIGHT = datetime.combine(TUESDAY + timedelta(days=1), time(0, 15), tzinfo=WITA)


@pytest.fixture
def offices(kendari) -> list[Office]:
    return list(Office.objects.filter(active=True).order_by("pk"))


def test_a_day_is_finalised_batch_by_batch_and_then_reported_final(offices):
    steps = []
    while not (step := finalisation.finalise_step(TUESDAY, NIGHT, batch_size=20)).done:
        steps.append(step)
    assert [s.judged for s in steps] == [20, 20, 20, len(offices) - 60]
    assert [s.offices_final for s in steps] == [20, 40, 60, len(offices)]
    run = VerdictFinalisation.objects.get(date=TUESDAY)
    assert (run.offices_final, run.batches, run.finished_at) == (len(offices), 4, NIGHT)
    assert run.after_office_id == offices[-1].pk
    assert DailyVerdict.objects.filter(date=TUESDAY, is_final=True).count() == len(offices)
    # Done is done: a later step does nothing.
    again = finalisation.finalise_step(TUESDAY, NIGHT + timedelta(hours=1), batch_size=20)
    assert (again.done, again.judged) == (True, 0)


def test_a_step_killed_half_way_is_redone_from_the_cursor(offices, monkeypatch):
    finalisation.finalise_step(TUESDAY, NIGHT, batch_size=30)
    real = verdict_batches.judge_loaded

    def killed(*args, **kwargs):
        real(*args, **kwargs)  # the verdicts are written, then the worker dies
        raise SystemExit("worker killed")

    monkeypatch.setattr(verdict_batches, "judge_loaded", killed)
    with pytest.raises(SystemExit):
        finalisation.finalise_step(TUESDAY, NIGHT, batch_size=30)
    run = VerdictFinalisation.objects.get(date=TUESDAY)
    # The batch's transaction was rolled back with the cursor: nothing half-written.
    assert (run.after_office_id, run.offices_final) == (offices[29].pk, 30)
    assert DailyVerdict.objects.filter(date=TUESDAY).count() == 30

    monkeypatch.setattr(verdict_batches, "judge_loaded", real)
    step = finalisation.finalise_day(TUESDAY, NIGHT, batch_size=30)
    assert step.done
    assert step.offices_final == len(offices)
    assert DailyVerdict.objects.filter(date=TUESDAY, is_final=True).count() == len(offices)


def test_offices_of_a_western_zone_are_waited_for(offices):
    jakarta = LocalGovernment.objects.create(
        code="31.71", name="Jakarta Pusat", kind="kota", time_zone="Asia/Jakarta"
    )
    kecamatan = Kecamatan.objects.create(local_government=jakarta, code="31.71.01", name="Gambir")
    west = Office.objects.create(code="31.71.01.1001", name="Gambir", kecamatan=kecamatan)

    first = finalisation.finalise_day(TUESDAY, NIGHT, batch_size=40)
    # 23:15 in Jakarta: its day has 45 minutes left; the cursor waits before its batch.
    assert first.wait_until == datetime.combine(
        TUESDAY + timedelta(days=1), time.min, tzinfo=ZoneInfo("Asia/Jakarta")
    )
    assert not first.done
    assert not DailyVerdict.objects.filter(office=west).exists()
    assert DailyVerdict.objects.filter(date=TUESDAY, is_final=True).count() == len(offices)

    later = finalisation.finalise_day(TUESDAY, first.wait_until, batch_size=40)
    assert later.done
    assert later.offices_final == len(offices) + 1
    assert DailyVerdict.objects.get(office=west, date=TUESDAY).is_final


def test_a_finalisation_whose_cursor_stopped_moving_is_found_for_resuming(offices):
    finalisation.finalise_step(TUESDAY, NIGHT, batch_size=10)
    assert finalisation.unfinished_days(TUESDAY, stalled_before=NIGHT) == []
    assert finalisation.unfinished_days(TUESDAY, stalled_before=NIGHT + timedelta(1)) == [TUESDAY]


def test_the_task_hands_on_to_a_new_task_when_its_time_budget_is_spent(offices, monkeypatch):
    handed_on = []
    monkeypatch.setattr(tasks, "_continue_finalisation", lambda day, eta: handed_on.append(day))
    monkeypatch.setattr(tasks.settings, "VERDICT_BATCH_SIZE", 25)
    monkeypatch.setattr(tasks.settings, "VERDICT_FINALISE_BUDGET_S", 0.0)
    with time_machine.travel(NIGHT, tick=False):
        assert tasks.finalise_daily_verdicts() == 25
        assert handed_on == [TUESDAY]
        assert tasks.finalise_daily_verdicts(TUESDAY.isoformat()) == 50
        assert tasks.finalise_daily_verdicts(TUESDAY.isoformat()) == len(offices)
        # The last batch is written; the next task finds nothing left and reports the day final.
        assert tasks.finalise_daily_verdicts(TUESDAY.isoformat()) == len(offices)
    assert len(handed_on) == 3
    assert VerdictFinalisation.objects.get(date=TUESDAY).finished_at == NIGHT


def test_a_night_whose_finalisation_never_started_is_started_by_the_resume_task(
    offices, monkeypatch
):
    started = []
    monkeypatch.setattr(tasks.finalise_daily_verdicts, "delay", started.append)
    # 00:45: the 00:15 beat may still be running late, nothing is started behind its back.
    with time_machine.travel(NIGHT + timedelta(minutes=30), tick=False):
        assert tasks.resume_verdict_finalisations() == 0
    # 01:30 with no cursor row for Tuesday: the beat never ran, the resume task starts it.
    with time_machine.travel(NIGHT + timedelta(minutes=75), tick=False):
        assert tasks.resume_verdict_finalisations() == 1
    assert started == [TUESDAY.isoformat()]
    # Once started (and moving), the day is the chain's: not started a second time.
    finalisation.finalise_step(TUESDAY, NIGHT + timedelta(minutes=80), batch_size=10)
    with time_machine.travel(NIGHT + timedelta(minutes=90), tick=False):
        assert tasks.resume_verdict_finalisations() == 0
    assert started == [TUESDAY.isoformat()]
