"""The named parts of the board and the office page, on plain values (no database)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from compliance import selectors
from compliance.domain.types import DayHours, DayStatus, ExcuseSpan, HolidayEntry, OfficeDay

DAY = date(2026, 12, 1)
MAKASSAR = ZoneInfo("Asia/Makassar")


def tile(name: str, status: str, kecamatan: str = "Mandonga", late: int | None = None):
    return selectors.Tile(
        office_id=hash(name) % 1000,
        code=name.upper(),
        name=name,
        kecamatan=kecamatan,
        status=status,
        status_label="",
        opened_at=None,
        scheduled_open=None,
        minutes_late=late,
        is_final=False,
        overridden=False,
    )


def test_board_counters_count_non_working_days_under_holiday_and_keep_their_order():
    counters = selectors.board_counters({"on_time": 3, "holiday": 1, "non_working_day": 2})
    assert [c.status for c in counters] == [s.value for s in selectors.BOARD_COUNTERS]
    assert {c.status: c.count for c in counters} == {
        "on_time": 3,
        "late": 0,
        "not_opened": 0,
        "no_data": 0,
        "holiday": 3,
    }


def test_late_tiles_put_the_latest_first_then_by_name():
    tiles = [
        tile("Bende", "late", late=5),
        tile("Anduonohu", "late", late=40),
        tile("Lepo", "on_time"),
        tile("Abeli", "late", late=5),
    ]
    assert [t.name for t in selectors.late_tiles(tiles)] == ["Anduonohu", "Abeli", "Bende"]


def test_kecamatan_groups_keep_the_order_and_count_each_group():
    tiles = [
        tile("A", "on_time", "Kadia"),
        tile("B", "", "Kadia"),
        tile("C", "late", "Wua-Wua"),
    ]
    groups = selectors.kecamatan_groups(tiles)
    assert [(g.name, len(g.tiles)) for g in groups] == [("Kadia", 2), ("Wua-Wua", 1)]
    assert groups[0].counts.on_time == 1
    assert groups[1].counts.late == 1


def test_opening_of_a_working_day_gives_the_scheduled_instant_and_the_grace_end():
    office_day = OfficeDay(DAY, DayStatus.WORKING, DayHours(time(7, 30), time(16, 0), 15))
    opening = selectors.opening_of(office_day, DAY, MAKASSAR)
    assert opening.scheduled_open == datetime(2026, 12, 1, 7, 30, tzinfo=MAKASSAR)
    assert opening.grace_end == datetime(2026, 12, 1, 7, 45, tzinfo=MAKASSAR)
    assert (opening.grace_minutes, opening.hours_text) == (15, "07:30–16:00")


def test_opening_of_a_day_off_is_empty():
    opening = selectors.opening_of(OfficeDay(DAY, DayStatus.NON_WORKING), DAY, MAKASSAR)
    assert opening == selectors.Opening()


def test_day_note_names_the_holiday_before_the_excuse():
    holiday = HolidayEntry(DAY, "Hari Natal")
    excuse = ExcuseSpan(DAY, DAY, "Banjir")
    assert selectors.day_note(OfficeDay(DAY, DayStatus.HOLIDAY, holiday=holiday)) == "Hari Natal"
    assert selectors.day_note(OfficeDay(DAY, DayStatus.EXCUSED, excuse=excuse)) == "Banjir"
    assert selectors.day_note(OfficeDay(DAY, DayStatus.NON_WORKING)) == ""
