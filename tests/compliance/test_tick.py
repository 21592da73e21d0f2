"""The compliance tick pulls: it settles, reclaims, and refreshes verdicts that have new facts."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras.models import Observation, ObservationStatus
from cameras.services import claim_lease
from compliance import selectors, services
from places import calendar
from places.models import Office, OpeningHours
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)


def wita(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(TUESDAY, time(hour, minute, second), tzinfo=WITA)


@pytest.fixture
def office(kendari) -> Office:
    office = Office.objects.get(code="74.71.01.1005")
    CameraFactory(office=office)
    return office


def fact(office: Office, slot: datetime, people: int, recorded: datetime | None = None):
    """A check as the camera side writes it: facts and the instant they were recorded."""
    return Observation.objects.create(
        camera=office.cameras.first(),
        slot=slot,
        office_date=TUESDAY,
        status=ObservationStatus.OK,
        people_in_zone=people,
        people_count=people,
        recorded_at=recorded or slot + timedelta(seconds=30),
    )


def observation_at(office: Office, slot: datetime) -> Observation:
    return Observation.objects.get(camera__office=office, slot=slot)


def test_a_slot_whose_window_passed_ends_expired_whatever_happened(office):
    services.plan_due_checks(wita(7, 30))  # dispatched, then the message was lost
    slot = observation_at(office, wita(7, 30))
    window_end = slot.expires_at
    services.settle_expired_checks(window_end - timedelta(seconds=1))
    assert observation_at(office, wita(7, 30)).status == ObservationStatus.PENDING
    assert services.settle_expired_checks(window_end) == 1
    settled = observation_at(office, wita(7, 30))
    assert settled.status == ObservationStatus.EXPIRED
    assert settled.recorded_at == window_end  # a fact the tick will judge (no data)
    assert services.settle_expired_checks(window_end + timedelta(hours=1)) == 0


def test_a_running_check_keeps_its_slot_until_its_lease_runs_out(office):
    services.plan_due_checks(wita(7, 30))
    slot = observation_at(office, wita(7, 30))
    assert slot.expires_at is not None
    claimed = slot.expires_at - timedelta(seconds=10)
    Observation.objects.filter(pk=slot.pk).update(
        status=ObservationStatus.RUNNING, claim_token="t", claimed_at=claimed
    )
    assert services.settle_expired_checks(slot.expires_at + timedelta(seconds=5)) == 0
    assert services.settle_expired_checks(claimed + claim_lease() + timedelta(seconds=1)) == 1
    assert observation_at(office, wita(7, 30)).status == ObservationStatus.EXPIRED


def test_a_check_whose_worker_died_is_dispatched_again_once_then_settled(office):
    services.plan_due_checks(wita(7, 30))
    slot = observation_at(office, wita(7, 30))
    Observation.objects.filter(pk=slot.pk).update(expires_at=wita(9, 0))

    def die(at: datetime) -> None:
        Observation.objects.filter(pk=slot.pk).update(
            status=ObservationStatus.RUNNING, claim_token="dead", claimed_at=at
        )

    die(wita(7, 30, 5))
    assert services.reclaim_lost_checks(wita(7, 32)) == []  # still inside its lease
    again = services.reclaim_lost_checks(wita(7, 30, 5) + claim_lease() + timedelta(seconds=1))
    assert [pk for pk, _ in again] == [slot.pk]
    row = observation_at(office, wita(7, 30))
    assert (row.status, row.claim_token, row.dispatch_count) == ("pending", "", 2)
    die(wita(7, 40))
    assert len(services.reclaim_lost_checks(wita(7, 44))) == 1  # dispatch 3 of 3
    die(wita(7, 45))
    assert services.reclaim_lost_checks(wita(7, 50)) == []
    row = observation_at(office, wita(7, 30))
    assert (row.status, row.dispatch_count) == (ObservationStatus.ERROR, 3)
    assert row.recorded_at == wita(7, 50)


def test_two_ticks_reclaiming_at_once_dispatch_a_lost_check_once(office):
    services.plan_due_checks(wita(7, 30))
    later = wita(7, 30) + services.redispatch_after() + timedelta(seconds=1)
    first = services.reclaim_lost_checks(later)
    second = services.reclaim_lost_checks(later)
    assert len(first) == 1
    assert second == []


def test_messages_the_broker_refused_go_out_with_the_next_tick(office):
    now = wita(7, 30)
    dispatched = services.plan_due_checks(now).dispatched
    assert services.release_dispatch([pk for pk, _ in dispatched], now) == 1
    row = observation_at(office, now)
    assert (row.dispatched_at, row.dispatch_count) == (None, 0)
    assert services.plan_due_checks(wita(7, 31)).dispatched == dispatched


def test_the_tick_refreshes_only_offices_with_new_facts(kendari, office):
    other = Office.objects.exclude(pk=office.pk).order_by("code").first()
    assert other is not None
    CameraFactory(office=other)
    fact(other, wita(7, 0, 30), 1)
    assert services.run_tick(wita(7, 5)).refreshed == 1
    fact(office, wita(7, 33, 30), 2)
    assert services.offices_with_new_facts(wita(7, 36)) == [(office.pk, TUESDAY)]


def test_a_fact_committed_just_behind_the_cursor_is_not_missed(office):
    services.run_tick(wita(7, 36))
    # A check that recorded 07:35:50 but committed after the 07:36 tick had read.
    fact(office, wita(7, 35, 30), 2, recorded=wita(7, 35, 50))
    assert services.run_tick(wita(7, 37)).refreshed == 1


def test_two_ticks_at_once_refresh_the_same_facts_once(office):
    fact(office, wita(7, 35), 2)
    first = services.offices_with_new_facts(wita(7, 36))
    second = services.offices_with_new_facts(wita(7, 36))
    assert first == [(office.pk, TUESDAY)]
    assert second == []


def test_many_checks_landing_cost_one_refresh_per_office(kendari, office):
    def refresh_queries(checks: int, first_slot: datetime) -> int:
        for n in range(checks):
            fact(office, first_slot + timedelta(seconds=n), 1, recorded=first_slot)
        with CaptureQueriesContext(connection) as captured:
            judged = services.refresh_changed_verdicts(first_slot + timedelta(seconds=1))
        assert len(judged) == 1
        return len(captured)

    refresh_queries(5, wita(7, 30))  # the day's verdict row exists from here on
    assert refresh_queries(10, wita(8, 30)) == refresh_queries(40, wita(9, 30))


def test_the_office_page_and_the_verdict_agree_when_min_staff_changes(office):
    """Openness is derived in one place (the domain, with the day's min_staff)."""
    OpeningHours.objects.filter(
        local_government=office.kecamatan.local_government, weekday=TUESDAY.weekday()
    ).update(min_staff=2)
    fact(office, wita(7, 30), 1)
    fact(office, wita(7, 35), 1)
    calendar.forget_cached_calendars()
    (judged,) = services.refresh_verdicts([(office.pk, TUESDAY)], wita(7, 36))
    page = selectors.office_page(office, TUESDAY)
    assert [check.is_open for check in page.checks] == [False, False]
    assert judged.verdict.opened_at is None
    OpeningHours.objects.filter(
        local_government=office.kecamatan.local_government, weekday=TUESDAY.weekday()
    ).update(min_staff=1)
    calendar.forget_cached_calendars()
    (judged,) = services.refresh_verdicts([(office.pk, TUESDAY)], wita(7, 36))
    page = selectors.office_page(office, TUESDAY)
    assert [check.is_open for check in page.checks] == [True, True]
    assert judged.verdict.opened_at == wita(7, 30)


def test_the_tick_refresh_costs_the_same_queries_for_two_offices_or_twenty(kendari, office):
    """Many offices with new facts in one tick: one batch, not a query or two per office."""
    others = list(Office.objects.exclude(pk=office.pk).order_by("pk")[:19])
    for other in others:
        CameraFactory(office=other)

    def refresh_queries(offices: list[Office], slot: datetime) -> int:
        services.refresh_changed_verdicts(slot - timedelta(minutes=5))  # the cursor moves on
        for each in offices:
            fact(each, slot, 1, recorded=slot)
        with CaptureQueriesContext(connection) as captured:
            judged = services.refresh_changed_verdicts(slot + timedelta(seconds=1))
        assert len(judged) == len(offices)
        return len(captured)

    refresh_queries([office, *others], wita(7, 30))  # every verdict row exists from here on
    assert refresh_queries([office, others[0]], wita(8, 30)) == refresh_queries(
        [office, *others], wita(9, 30)
    )
