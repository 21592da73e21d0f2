"""Dashboard read queries: what the board, rankings and office page compute, in fixed queries."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cameras.models import Observation
from compliance import selectors, services
from compliance.domain import ranking
from compliance.models import DailyVerdict
from places.models import Office
from tests.factories import (
    CameraFactory,
    KecamatanFactory,
    LocalGovernmentFactory,
    OfficeFactory,
    UserFactory,
)

WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 WITA


def wita(hour: int, minute: int, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


def verdict(office: Office, status: str, day: date = TUESDAY, **fields) -> DailyVerdict:
    return DailyVerdict.objects.create(office=office, date=day, status=status, **fields)


def observe(camera, at: datetime, status: str = "ok", people: int | None = 1) -> Observation:
    return Observation.objects.create(
        camera=camera,
        slot=at,
        office_date=at.astimezone(WITA).date(),
        status=status,
        people_in_zone=people if status == "ok" else None,
    )


@pytest.fixture(autouse=True)
def indonesian():
    """Labels are asserted in Bahasa Indonesia, whatever an earlier request activated."""
    with translation.override("id"):
        yield


@pytest.fixture
def staff(make_role_user):
    return make_role_user("Diskominfo", LocalGovernmentFactory(), username="staf")


@pytest.fixture
def kecamatan(db):
    return KecamatanFactory(name="Mandonga")


def make_offices(kecamatan, count: int) -> list[Office]:
    return [OfficeFactory(kecamatan=kecamatan, name=f"Kel {i:04d}") for i in range(count)]


# --- Pure ranking helpers (no database) --------------------------------------------------------


def counts(**values: int) -> ranking.StatusCounts:
    return ranking.StatusCounts.from_mapping(values)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"on_time": 3, "late": 1}, 0.75),
        ({"on_time": 1, "not_opened": 1, "no_data": 5, "holiday": 2}, 0.5),
        ({"on_time": 1, "closed_early": 1}, 0.5),
        ({"no_data": 4, "excused": 1}, None),
        ({}, None),
    ],
)
def test_on_time_rate_leaves_out_days_the_cameras_could_not_judge(values, expected):
    assert counts(**values).on_time_rate == expected


def test_ranking_shares_ranks_on_ties_and_lists_unjudged_last():
    rows = [
        ranking.RateRow("a", "Anduonohu", counts(on_time=9, late=1)),
        ranking.RateRow("b", "Baruga", counts(on_time=18, late=2)),
        ranking.RateRow("c", "Kadia", counts(no_data=20)),
        ranking.RateRow("d", "Lepo", counts(on_time=1, late=9)),
        ranking.RateRow("e", "Abeli", counts(on_time=10)),
    ]
    ranked = ranking.rank_by_on_time_rate(rows)
    assert [(item.rank, item.row.key) for item in ranked] == [
        (1, "e"),
        (2, "b"),  # same rate as "a" but more judged days
        (2, "a"),
        (4, "d"),
        (None, "c"),
    ]


def test_daily_rates_fill_days_without_verdicts():
    days = ranking.daily_rates(
        date(2026, 11, 1), date(2026, 11, 3), {date(2026, 11, 2): counts(on_time=1, late=1)}
    )
    assert [(d.day.day, d.percent) for d in days] == [(1, None), (2, 50), (3, None)]


def test_trend_line_breaks_on_days_without_a_rate():
    days = ranking.daily_rates(
        date(2026, 11, 1),
        date(2026, 11, 5),
        {
            date(2026, 11, 1): counts(on_time=1),
            date(2026, 11, 2): counts(late=1),
            date(2026, 11, 4): counts(on_time=1, late=1),
        },
    )
    chart = ranking.plot_trend(days, width=400, height=200, month_labels=["m"] * 12)
    assert len(chart.segments) == 2
    assert [point.percent for point in chart.points] == [100, 0, 50]
    assert chart.points[0].y < chart.points[2].y < chart.points[1].y
    assert chart.average_percent == 50
    assert [tick.label for tick in chart.x_ticks] == ["m"]


def test_calendar_weeks_start_on_monday_and_mark_days_outside_the_range():
    weeks = ranking.calendar_weeks(
        date(2026, 11, 4), date(2026, 11, 10), {date(2026, 11, 4): "late"}
    )
    assert len(weeks) == 2
    assert weeks[0][0].day == date(2026, 11, 2)
    assert not weeks[0][0].in_range
    assert weeks[0][2].status == "late"
    assert weeks[1][1].in_range
    assert not weeks[1][2].in_range


# --- Board ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_counts_statuses_and_sorts_the_late_list(staff, kecamatan):
    offices = make_offices(kecamatan, 8)
    verdict(offices[0], "on_time", opened_at=wita(7, 20), minutes_late=0)
    verdict(offices[1], "late", opened_at=wita(7, 50), minutes_late=20)
    verdict(offices[2], "late", opened_at=wita(8, 40), minutes_late=70)
    verdict(offices[3], "not_opened")
    verdict(offices[4], "no_data")
    verdict(offices[5], "holiday")
    verdict(offices[6], "non_working_day")
    # offices[7] has no verdict yet

    board = selectors.board_for_day(TUESDAY, staff, now=NOW)

    assert {c.status: c.count for c in board.counters} == {
        "on_time": 1,
        "late": 2,
        "not_opened": 1,
        "no_data": 1,
        "holiday": 2,  # "Libur" counts holidays and non-working days
    }
    assert [c.label for c in board.counters][:3] == ["Tepat waktu", "Terlambat", "Tidak buka"]
    assert board.awaiting == 1
    assert [tile.minutes_late for tile in board.late] == [70, 20]
    assert [tile.office_id for tile in board.not_opened] == [offices[3].pk]
    assert board.total == 8
    assert board.is_today
    assert sum(len(group.tiles) for group in board.groups) == 8


@pytest.mark.django_db
def test_board_shows_the_staff_override_instead_of_the_computed_status(staff, kecamatan):
    (office,) = make_offices(kecamatan, 1)
    row = verdict(office, "not_opened")
    services.override_verdict(row.pk, "excused", "Banjir", staff.pk)

    board = selectors.board_for_day(TUESDAY, staff, now=NOW)

    tile = board.groups[0].tiles[0]
    assert tile.status == "excused"
    assert tile.overridden
    assert {c.status: c.count for c in board.counters}["not_opened"] == 0
    assert [c.status for c in board.other_counts] == ["excused"]


@pytest.mark.django_db
def test_board_shows_the_complaint_counts_the_page_hands_in(staff, kecamatan):
    first, second = make_offices(kecamatan, 2)
    board = selectors.board_for_day(
        TUESDAY, staff, now=NOW, complaints_by_office={first.pk: 2, 999_999: 5}
    )
    by_id = {tile.office_id: tile.complaints for group in board.groups for tile in group.tiles}
    assert by_id == {first.pk: 2, second.pk: 0}
    assert board.complaints == 2  # only the visible offices' complaints count
    assert selectors.board_for_day(TUESDAY, staff, now=NOW).complaints == 0


@pytest.mark.django_db
def test_board_is_empty_for_a_user_without_a_dashboard_role(kecamatan):
    make_offices(kecamatan, 3)
    board = selectors.board_for_day(TUESDAY, UserFactory(username="warga"), now=NOW)
    assert board.total == 0
    assert board.groups == ()


@pytest.mark.django_db
def test_board_lists_the_holiday_of_the_day(staff, kendari):
    board = selectors.board_for_day(date(2026, 12, 25), staff, now=NOW)
    assert board.holidays
    assert not board.is_today


def _board_queries(user) -> int:
    user = type(user).objects.get(pk=user.pk)  # fresh: roles are cached per user object
    with CaptureQueriesContext(connection) as queries:
        selectors.board_for_day(TUESDAY, user, now=NOW)
    return len(queries)


@pytest.mark.django_db
def test_board_query_count_does_not_grow_with_the_number_of_offices(staff, kecamatan):
    def add_offices(count: int) -> None:
        for office in make_offices(kecamatan, count):
            verdict(office, "late", opened_at=wita(8, 0), minutes_late=30)
            camera = CameraFactory(office=office)
            observe(camera, wita(7, 0), "timeout")

    add_offices(3)
    small = _board_queries(staff)
    add_offices(40)
    large = _board_queries(staff)
    assert small == large
    assert large <= 9  # role and profile, office count, offices, verdicts, holidays, cameras
    # down, cameras checked that day


# --- Cameras down --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_camera_down_since_the_first_failure_after_its_last_good_check(staff, kecamatan):
    (office,) = make_offices(kecamatan, 1)
    camera = CameraFactory(office=office)
    observe(camera, wita(6, 0), "timeout")
    observe(camera, wita(7, 0), "ok")
    observe(camera, wita(7, 5), "unreachable")
    observe(camera, wita(7, 10), "dark")
    observe(camera, wita(7, 15), "pending")  # unsettled: neither up nor down

    (down,) = selectors.cameras_down(staff, NOW)

    assert down.camera_id == camera.pk
    assert down.since == wita(7, 5)
    assert down.last_status == "dark"
    assert down.last_status_label == "Gambar gelap"


@pytest.mark.django_db
def test_camera_never_ok_is_down_since_its_first_check(staff, kecamatan):
    (office,) = make_offices(kecamatan, 1)
    camera = CameraFactory(office=office)
    observe(camera, wita(7, 0, TUESDAY - timedelta(days=2)), "auth_failed")
    observe(camera, wita(7, 0), "auth_failed")

    (down,) = selectors.cameras_down(staff, NOW)

    assert down.since == wita(7, 0, TUESDAY - timedelta(days=2))


@pytest.mark.django_db
def test_recovered_disabled_and_silent_cameras_are_not_down(staff, kecamatan):
    offices = make_offices(kecamatan, 3)
    recovered = CameraFactory(office=offices[0])
    observe(recovered, wita(7, 0), "timeout")
    observe(recovered, wita(7, 5), "ok")
    disabled = CameraFactory(office=offices[1], enabled=False)
    observe(disabled, wita(7, 0), "timeout")
    silent = CameraFactory(office=offices[2])
    observe(silent, wita(7, 0), "pending")

    assert selectors.cameras_down(staff, NOW) == []


@pytest.mark.django_db
def test_cameras_down_on_a_past_day_ignore_later_checks(staff, kecamatan):
    (office,) = make_offices(kecamatan, 1)
    camera = CameraFactory(office=office)
    yesterday = TUESDAY - timedelta(days=1)
    observe(camera, wita(8, 0, yesterday), "stream_ended")
    observe(camera, wita(7, 0), "ok")

    board = selectors.board_for_day(yesterday, staff, now=NOW)

    assert [camera.since for camera in board.cameras_down] == [wita(8, 0, yesterday)]
    assert selectors.cameras_down(staff, NOW) == []


# --- Rankings, trend, period --------------------------------------------------------------------


@pytest.mark.django_db
def test_rankings_over_thirty_days_by_office_and_kecamatan(staff):
    good_kecamatan, bad_kecamatan = KecamatanFactory(name="Kadia"), KecamatanFactory(name="Abeli")
    good = make_offices(good_kecamatan, 1)[0]
    bad = make_offices(bad_kecamatan, 1)[0]
    idle = make_offices(bad_kecamatan, 1)[0]
    for offset in range(5):
        day = TUESDAY - timedelta(days=offset)
        verdict(good, "on_time", day=day)
        verdict(bad, "late" if offset else "on_time", day=day, minutes_late=30 if offset else 0)
    verdict(bad, "on_time", day=TUESDAY - timedelta(days=30))  # outside the window
    verdict(idle, "no_data")
    row = DailyVerdict.objects.get(office=bad, date=TUESDAY - timedelta(days=1))
    services.override_verdict(row.pk, "on_time", "Kamera salah arah", staff.pk)

    result = selectors.rankings(TUESDAY, staff)

    assert result.first == TUESDAY - timedelta(days=29)
    assert [(item.rank, item.row.key, item.percent) for item in result.offices] == [
        (1, good.code, 100),
        (2, bad.code, 40),
        (None, idle.code, None),
    ]
    assert result.offices[1].row.average_minutes_late == 30
    assert [(item.row.name, item.percent) for item in result.kecamatan] == [
        ("Kadia", 100),
        ("Abeli", 40),
    ]


@pytest.mark.django_db
def test_city_trend_has_one_rate_per_day_over_ninety_days(staff, kecamatan):
    offices = make_offices(kecamatan, 4)
    for index, office in enumerate(offices):
        verdict(office, "on_time" if index < 3 else "late")
        verdict(office, "holiday", day=TUESDAY - timedelta(days=1))

    trend = selectors.city_trend(TUESDAY, staff)

    assert len(trend) == 90
    assert trend[-1].day == TUESDAY
    assert trend[-1].percent == 75
    assert trend[-2].percent is None


@pytest.mark.django_db
def test_period_view_queries_do_not_grow_with_offices(staff, kecamatan):
    def measure() -> int:
        user = type(staff).objects.get(pk=staff.pk)
        with CaptureQueriesContext(connection) as queries:
            selectors.period_for_offices(TUESDAY - timedelta(days=6), TUESDAY, user)
        return len(queries)

    for office in make_offices(kecamatan, 2):
        verdict(office, "on_time")
    small = measure()
    for office in make_offices(kecamatan, 20):
        verdict(office, "late")
    # Role and profile, offices, counts per office and per day (in SQL), the shown offices'
    # day-by-day statuses.
    assert measure() == small <= 6
    period = selectors.period_for_offices(TUESDAY - timedelta(days=6), TUESDAY, staff)
    assert period.days[-1].percent == 9  # 2 of 22
    assert period.offices[0].cells[-1][1] == "on_time"


# --- Office page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_office_page_timeline_and_key_moments(staff, kendari):
    office = selectors.office_for_user("74.71.01.1005", staff)
    camera = CameraFactory(office=office)
    checks = [
        observe(camera, wita(7, 20), "ok", 0),
        observe(camera, wita(7, 25), "timeout"),
        observe(camera, wita(7, 35), "ok", 2),
        observe(camera, wita(7, 40), "ok", 2),
        observe(camera, wita(7, 45), "ok", 1),
        observe(camera, wita(7, 50), "ok", 1),
    ]
    verdict(
        office,
        "on_time",
        opened_at=wita(7, 35),
        minutes_late=0,
        scheduled_open=wita(7, 30),
        evidence_observation_ids=[checks[2].pk],
    )

    page = selectors.office_page(office, TUESDAY)

    assert page.hours_text == "07:30–16:00"
    assert page.scheduled_open == wita(7, 30)
    assert page.grace_end == wita(7, 45)
    assert page.status_label == "Tepat waktu"
    assert [check.observation_id for check in page.checks] == [c.pk for c in checks]
    assert [(m.observation_id, m.label) for m in page.key_moments] == [
        (checks[2].pk, "Pertama terlihat buka"),
        (checks[4].pk, "Batas toleransi"),
    ]
    assert [css for _, css, _ in page.timeline.markers] == ["scheduled", "grace", "opened"]
    x_of = {check.observation_id: x for x, _, _, check in page.timeline.bars}
    scheduled_x = page.timeline.markers[0][0]
    assert x_of[checks[1].pk] < scheduled_x < x_of[checks[2].pk]
    assert page.zone_label == "WITA"
    assert len(page.heatmap) == selectors.HEATMAP_WEEKS


@pytest.mark.django_db
def test_office_page_on_a_holiday_names_it(staff, kendari):
    office = selectors.office_for_user("74.71.01.1005", staff)
    page = selectors.office_page(office, date(2026, 12, 25))
    assert page.day_kind == "holiday"
    assert page.day_note
    assert page.scheduled_open is None


@pytest.mark.django_db
def test_a_camat_sees_only_the_offices_of_their_kecamatan(make_role_user):
    government = LocalGovernmentFactory()
    own, other = KecamatanFactory(name="Mandonga"), KecamatanFactory(name="Poasia")
    own_offices, other_offices = make_offices(own, 2), make_offices(other, 3)
    for office in own_offices + other_offices:
        verdict(office, "late", opened_at=wita(8, 0), minutes_late=30)
        observe(CameraFactory(office=office), wita(7, 0), "timeout")
    camat = make_role_user("Camat", government, own, username="camat")

    board = selectors.board_for_day(TUESDAY, camat, now=NOW)

    assert board.total == 2
    assert {tile.office_id for tile in board.late} == {office.pk for office in own_offices}
    assert len(board.cameras_down) == 2
    assert [item.row.name for item in selectors.rankings(TUESDAY, camat).kecamatan] == ["Mandonga"]
    assert not selectors.can_override_verdicts(camat)
