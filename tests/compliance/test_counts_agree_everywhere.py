"""One day, every reader: the week and month pages, each office's page and the morning summary
count the same offices per status as the board (which test_counts_agree holds against the
exports and the API)."""

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance import selectors, summary
from compliance.models import VerdictStatus

pytestmark = pytest.mark.django_db


def test_the_week_month_office_pages_and_the_morning_summary_agree_with_the_board(
    staff_client, dashboard_data, kendari
):
    day = dashboard_data.today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    board = staff_client.get(reverse("compliance:day", kwargs={"day": day.isoformat()})).context[
        "board"
    ]
    on_board = {
        tile.code: tile.status for group in board.groups for tile in group.tiles if tile.status
    }
    assert len(on_board) == len(dashboard_data.offices)

    week = staff_client.get(reverse("compliance:week", kwargs={"day": day.isoformat()}))
    month = staff_client.get(reverse("compliance:month", kwargs={"month": f"{day:%Y-%m}"}))
    for page in (week, month):
        cells = {
            row.code: status
            for row in page.context["period"].offices
            for cell_day, status, _label in row.cells
            if cell_day == day and status
        }
        assert cells == on_board

    for office in dashboard_data.offices:
        page = staff_client.get(
            reverse("compliance:office", kwargs={"code": office.code}), {"tanggal": day}
        ).context["page"]
        assert page.status == on_board[office.code], office.code

    at = datetime.combine(day, time(8, 0), tzinfo=timezone.get_current_timezone())
    facts = summary.morning_facts(kendari, at)
    assert {c.status: c.count for c in facts.counters} == {
        c.status: c.count for c in board.counters
    }
    assert facts.awaiting == board.awaiting
    assert [line.name for line in facts.not_open] == [tile.name for tile in board.not_opened]
    assert Counter(on_board.values())[VerdictStatus.NOT_OPENED] == len(facts.not_open)
    tiles = selectors.government_tiles(kendari, day)
    assert {tile.code: tile.status for tile in tiles if tile.status} == on_board
