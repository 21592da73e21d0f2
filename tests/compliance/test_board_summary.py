"""A board of many offices summarises: a row per kecamatan (and per government for an
operator), each drilling down; the tiles in pages; the lists short, with their totals."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from compliance import selectors
from compliance.models import DailyVerdict
from tests.factories import KecamatanFactory, LocalGovernmentFactory, OfficeFactory, UserFactory

TUESDAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 WITA


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Summarise above 6 offices, 4 tiles a page, lists of 2: the rules, at a test's size."""
    monkeypatch.setattr(selectors, "SUMMARY_ABOVE", 6)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    monkeypatch.setattr(selectors, "LIST_MAX", 2)
    with translation.override("id"):
        yield


@pytest.fixture
def province(db):
    """Two governments: "Utara" with kecamatan A (5 offices) and B (4), "Selatan" with C (3).
    In A: three late (20, 50, 35 minutes), one not opened, one not judged yet; in B: four on
    time; in C: three not opened."""
    north = LocalGovernmentFactory(code="71.01", name="Utara")
    south = LocalGovernmentFactory(code="71.02", name="Selatan")
    kecamatan = {
        "A": KecamatanFactory(local_government=north, code="71.01.01", name="A"),
        "B": KecamatanFactory(local_government=north, code="71.01.02", name="B"),
        "C": KecamatanFactory(local_government=south, code="71.02.01", name="C"),
    }
    plan = {
        "A": [("late", 20), ("late", 50), ("late", 35), ("not_opened", None), (None, None)],
        "B": [("on_time", None)] * 4,
        "C": [("not_opened", None)] * 3,
    }
    for name, statuses in plan.items():
        for index, (status, late) in enumerate(statuses):
            office = OfficeFactory(kecamatan=kecamatan[name], name=f"{name}{index}")
            if status:
                DailyVerdict.objects.create(
                    office=office, date=TUESDAY, status=status, minutes_late=late
                )
    return north, south, kecamatan


def test_a_board_above_the_threshold_has_a_row_per_kecamatan(province, make_role_user):
    north, _south, _kecamatan = province
    staff = make_role_user("Diskominfo", north)
    board = selectors.board_for_day(TUESDAY, staff, now=NOW)
    assert board.summarised
    assert board.total == 9
    rows = {row.name: row for row in board.kecamatan_rows}
    assert list(rows) == ["A", "B"]
    assert (rows["A"].total, rows["A"].counts.late, rows["A"].awaiting) == (5, 3, 1)
    assert (rows["A"].counts.not_opened, rows["A"].on_time_percent) == (1, 0)
    assert (rows["B"].counts.on_time, rows["B"].on_time_percent) == (4, 100)
    assert board.government_rows == ()  # a government's staff see only their own


def test_the_lists_show_the_worst_few_and_say_how_many_there_are(province, make_role_user):
    north, _south, _kecamatan = province
    board = selectors.board_for_day(TUESDAY, make_role_user("Diskominfo", north), now=NOW)
    assert [tile.minutes_late for tile in board.late] == [50, 35]
    assert board.late_total == 3
    assert [counter.count for counter in board.counters if counter.status == "late"] == [3]


def test_the_tiles_come_in_pages_in_the_boards_order(province, make_role_user):
    north, _south, _kecamatan = province
    staff = make_role_user("Diskominfo", north)
    pages = [selectors.board_for_day(TUESDAY, staff, now=NOW, page=n) for n in (1, 2, 3, 99)]
    names = [[tile.name for group in board.groups for tile in group.tiles] for board in pages]
    assert names[:3] == [["A0", "A1", "A2", "A3"], ["A4", "B0", "B1", "B2"], ["B3"]]
    assert names[3] == names[2]  # past the last page: the last page
    assert [(board.page.number, board.page.count) for board in pages if board.page] == [
        (1, 3),
        (2, 3),
        (3, 3),
        (3, 3),
    ]


def test_a_kecamatan_row_drills_down_to_its_offices(province, make_role_user):
    north, _south, kecamatan = province
    staff = make_role_user("Diskominfo", north)
    scope = selectors.Scope(kecamatan_id=kecamatan["A"].pk)
    board = selectors.board_for_day(TUESDAY, staff, now=NOW, scope=scope)
    assert (board.total, board.summarised, board.scope_name) == (5, False, "A")
    assert [tile.minutes_late for tile in board.late] == [50, 35, 20]  # not summarised: all
    assert [tile.name for group in board.groups for tile in group.tiles] == [
        "A0",
        "A1",
        "A2",
        "A3",
        "A4",
    ]


def test_another_governments_kecamatan_shows_nothing(province, make_role_user):
    north, _south, kecamatan = province
    staff = make_role_user("Diskominfo", north)
    scope = selectors.Scope(kecamatan_id=kecamatan["C"].pk)
    board = selectors.board_for_day(TUESDAY, staff, now=NOW, scope=scope)
    assert (board.total, board.not_opened, board.groups) == (0, (), ())


def test_an_operator_of_several_governments_gets_a_row_per_government(province):
    operator = UserFactory(is_superuser=True, is_staff=True)
    board = selectors.board_for_day(TUESDAY, operator, now=NOW)
    rows = {row.name: row for row in board.government_rows}
    assert list(rows) == ["Selatan", "Utara"]
    assert (rows["Selatan"].total, rows["Selatan"].counts.not_opened) == (3, 3)
    assert (rows["Utara"].total, rows["Utara"].counts.late) == (9, 3)
    _north, south, _kecamatan = province
    narrowed = selectors.board_for_day(
        TUESDAY, operator, now=NOW, scope=selectors.Scope(government_id=south.pk)
    )
    assert (narrowed.total, narrowed.scope_name, narrowed.government_rows) == (3, "Selatan", ())


def test_the_summarised_page_links_rows_and_pages(client, province, make_role_user):
    north, _south, kecamatan = province
    client.force_login(make_role_user("Diskominfo", north))
    board_url = reverse("compliance:day", kwargs={"day": TUESDAY.isoformat()})
    html = client.get(board_url).content.decode()
    assert f'href="{board_url}?kecamatan={kecamatan["A"].pk}"' in html
    assert f'href="{board_url}?halaman=2" rel="next"' in html
    assert "2 teratas dari 3" in html
    drilled = client.get(f"{board_url}?kecamatan={kecamatan['A'].pk}&halaman=1")
    page = drilled.content.decode()
    assert "Hanya A" in page
    # By the tile's markup: a bare "B0" may stand in a page's random CSRF token.
    assert '<span class="tile-name">A4' in page
    assert '<span class="tile-name">B0' not in page


def test_an_operator_s_board_has_no_kecamatan_table_until_a_government_is_chosen(province):
    operator = UserFactory(is_superuser=True, is_staff=True)
    board = selectors.board_for_day(TUESDAY, operator, now=NOW)
    assert board.summarised
    assert board.kecamatan_rows == ()  # a national table of kecamatan would be huge
    assert (board.total, board.awaiting, board.late_total, board.not_opened_total) == (12, 1, 3, 4)
    assert [tile.name for tile in board.not_opened] == ["A3", "C0"]  # the first LIST_MAX
    north, _south, _kecamatan = province
    narrowed = selectors.board_for_day(
        TUESDAY, operator, now=NOW, scope=selectors.Scope(government_id=north.pk)
    )
    assert [row.name for row in narrowed.kecamatan_rows] == ["A", "B"]


def test_the_summarised_board_takes_the_same_queries_for_more_offices_and_governments(province):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    operator = UserFactory(is_superuser=True, is_staff=True)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.board_for_day(TUESDAY, operator, now=NOW)
        return len(captured)

    queries()  # the first read of the user's role is cached on the user
    before = queries()
    for n in range(3):
        government = LocalGovernmentFactory(code=f"72.0{n + 1}", name=f"Baru {n}")
        kecamatan = KecamatanFactory(local_government=government, code=f"72.0{n + 1}.01")
        for index in range(5):
            office = OfficeFactory(kecamatan=kecamatan, name=f"Baru {n}-{index}")
            DailyVerdict.objects.create(office=office, date=TUESDAY, status="late", minutes_late=9)
    assert queries() == before
