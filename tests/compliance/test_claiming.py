"""The set-based claim of the tick: the same slots as the planner says, each claimed once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cameras.models import Observation
from compliance import claiming, domain, services, verdict_batches
from compliance.tasks import tick_and_publish
from places.models import Excuse, Office, OpeningHours
from tests.factories import CameraFactory

WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)


def wita(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(TUESDAY, time(hour, minute, second), tzinfo=WITA)


@pytest.fixture
def offices(kendari) -> list[Office]:
    chosen = list(Office.objects.order_by("code")[:12])
    for office in chosen:
        CameraFactory(office=office)
    return chosen


def test_the_insert_names_every_column_an_observation_requires() -> None:
    required = {
        field.column
        for field in Observation._meta.concrete_fields
        if not field.null and not field.primary_key
    }
    assert required <= claiming.INSERTED_COLUMNS


@pytest.mark.django_db
def test_an_office_with_its_own_hours_or_an_excuse_gets_its_own_day(offices):
    late, excused = offices[0], offices[1]
    for weekday in range(7):
        OpeningHours.objects.create(
            local_government=late.kecamatan.local_government,
            office=late,
            weekday=weekday,
            opens_at=time(9, 0),
            closes_at=time(16, 0),
        )
    Excuse.objects.create(office=excused, date_from=TUESDAY, date_to=TUESDAY, reason="banjir")

    result = services.plan_due_checks(wita(7, 30))

    claimed = set(Observation.objects.values_list("camera__office_id", "slot"))
    assert claimed == {(office.pk, wita(7, 30)) for office in offices[2:]}
    assert len(result.dispatched) == len(offices) - 2
    services.plan_due_checks(wita(8, 30))
    assert (late.pk, wita(8, 30)) in set(
        Observation.objects.values_list("camera__office_id", "slot")
    )


@pytest.mark.django_db
def test_with_the_spread_on_each_office_is_checked_at_its_own_phase(offices, settings):
    settings.CHECK_PHASE_SPREAD = True
    services.plan_due_checks(wita(7, 40))

    slots = dict(Observation.objects.values_list("camera__office_id", "slot"))
    assert set(slots) == {office.pk for office in offices}
    for office in offices:
        phase = domain.office_phase(office.pk, timedelta(minutes=office.opening_interval_minutes))
        # The last slot of its grid inside (07:30, 07:40] that has not expired.
        assert slots[office.pk] in {wita(7, 35) + phase, wita(7, 30) + phase}
        assert slots[office.pk] <= wita(7, 40) < slots[office.pk] + timedelta(minutes=5)
        # The verdict side plans the same slots for this office (one policy for both).
        plan = domain.plan_check_slots(
            domain.resolve_office_day(TUESDAY, domain.PERPRES_2023_HOURS, ()),
            verdict_batches.check_policy_for(office),
            WITA,
        )
        assert slots[office.pk] in {slot.at for slot in plan}
    assert len(set(slots.values())) > 1


@pytest.mark.django_db
def test_a_replay_tick_claims_only_its_offices(offices):
    chosen = [offices[3].pk, offices[5].pk]
    result = services.plan_due_checks(wita(7, 30), office_ids=chosen)
    assert result.offices_considered == 2
    assert set(Observation.objects.values_list("camera__office_id", flat=True)) == set(chosen)


def test_checks_go_out_in_groups_that_expire_together() -> None:
    early, late = wita(7, 35), wita(7, 40)
    checks = [(pk, late if pk % 2 else early) for pk in range(1, 24)]
    groups = claiming.group_checks(checks, 10)
    assert [len(group) for group in groups] == [10, 10, 3]
    assert sorted(pk for group in groups for pk, _ in group) == list(range(1, 24))
    assert all(expires == early for _, expires in groups[0])
    assert claiming.group_checks([], 10) == []


@pytest.mark.django_db
def test_the_tick_sends_one_message_per_group_and_releases_a_refused_group(
    offices, settings, monkeypatch
):
    from kombu.exceptions import OperationalError

    from cameras import tasks as camera_tasks

    settings.CHECK_BATCH_SIZE = 5
    sent: list[tuple[list[int], datetime]] = []

    def publish(args, expires, **options):
        if len(sent) == 2:
            raise OperationalError("broker gone")
        sent.append((args[0], expires))

    monkeypatch.setattr(camera_tasks.run_camera_checks, "apply_async", publish)
    assert tick_and_publish(wita(7, 30)) == 10

    assert [len(ids) for ids, _ in sent] == [5, 5]
    assert all(expires == wita(7, 35) for _, expires in sent)
    published = {pk for ids, _ in sent for pk in ids}
    rows = Observation.objects.values_list("pk", "dispatched_at", "dispatch_count")
    for pk, dispatched_at, count in rows:
        if pk in published:
            assert (dispatched_at, count) == (wita(7, 30), 1)
        else:  # the refused group goes out with the next tick
            assert (dispatched_at, count) == (None, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("spread", [False, True])
def test_the_grouped_claim_inserts_exactly_what_the_row_planner_plans(offices, settings, spread):
    """Mixed policies, an office with its own hours, an excused one, across the opening, the
    afternoon, the evening and midnight: the claim (grouped in SQL on PostgreSQL) inserts the
    (office, slot, kind, expiry, office date) rows of `plan_due`, the offices read one by one."""
    settings.CHECK_PHASE_SPREAD = spread
    for n, office in enumerate(offices):
        office.opening_interval_minutes = (5, 10, 15)[n % 3]
        office.open_checks_needed = 1 + n % 2
        office.coverage_threshold = (0.6, 0.45)[n % 2]
        office.after_hours_checks = n % 4 == 1
        office.night_checks = n % 5 == 2
        office.save()
    own = offices[3]
    for weekday in range(7):
        OpeningHours.objects.create(
            local_government=own.kecamatan.local_government,
            office=own,
            weekday=weekday,
            opens_at=time(9, 0),
            closes_at=time(15, 0),
        )
    Excuse.objects.create(office=offices[4], date_from=TUESDAY, date_to=TUESDAY, reason="banjir")
    ticks = [wita(7, 31), wita(7, 45), wita(9, 5), wita(16, 10), wita(20, 3)]
    ticks.append(datetime.combine(TUESDAY + timedelta(days=1), time(0, 2), tzinfo=WITA))
    for now in ticks:
        since = now - services.TICK_LOOKBACK
        plan = claiming.plan_due(since, now, None)
        expected = {
            (office_id, slot.at, slot.kind, slot.expires_at, slot.office_date)
            for office_id, slot in ((office_id, plan.slots[due]) for office_id, due in plan.pairs)
        }
        claim = claiming.claim_due_checks(since, now)
        inserted = set(
            Observation.objects.filter(pk__in=[pk for pk, _ in claim.dispatched]).values_list(
                "camera__office_id", "slot", "kind", "expires_at", "office_date"
            )
        )
        assert inserted == expected, now
        assert claim.slots_due == len(plan.pairs)
        assert claim.offices_considered == plan.offices_considered
    assert Observation.objects.filter(camera__office=own).exists()
