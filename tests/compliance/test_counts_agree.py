"""One day, four readers: the board, the daily workbook, the daily CSV and the API give the
same count of offices per status (issue 15: every number can be reconciled)."""

import csv
import io
from collections import Counter
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse

from compliance.models import VerdictStatus

pytestmark = pytest.mark.django_db


def test_board_exports_and_api_count_the_same_day_alike(staff_client, dashboard_data):
    day = dashboard_data.today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    labels = {str(status.label): status.value for status in VerdictStatus}

    board = staff_client.get(reverse("compliance:day", kwargs={"day": day.isoformat()})).context[
        "board"
    ]
    on_board = Counter(tile.status for group in board.groups for tile in group.tiles if tile.status)
    assert sum(on_board.values()) == board.total - board.awaiting
    for counter in board.counters:
        if counter.status != VerdictStatus.HOLIDAY:
            assert counter.count == on_board[counter.status], counter.status

    workbook = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(staff_client.get(f"/laporan/harian/{day.isoformat()}.xlsx").streaming_content)
        )
    )
    table = workbook["Harian"]
    in_workbook = Counter(
        labels[row[7]] for row in table.iter_rows(min_row=6, values_only=True) if row[7] in labels
    )
    summary = workbook["Ringkasan"]
    header = [cell.value for cell in summary[4]]
    total_row = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Jumlah")
    in_summary = {
        labels[title]: total_row[index]
        for index, title in enumerate(header)
        if title in labels and total_row[index]
    }

    response = staff_client.get(f"/laporan/harian/{day.isoformat()}.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    rows = list(csv.reader(lines))
    status_column = rows[0].index("Status") if "Status" in rows[0] else 7
    in_csv = Counter(labels[row[status_column]] for row in rows[1:] if row[status_column] in labels)

    api = staff_client.get(
        "/api/v1/verdicts/",
        {"date_from": day.isoformat(), "date_to": day.isoformat(), "page_size": 500},
    ).json()
    results = api["results"] if isinstance(api, dict) else api
    in_api = Counter(item["effective_status"] for item in results)

    assert in_workbook == on_board
    assert in_summary == dict(on_board)
    assert in_csv == on_board
    assert in_api == on_board
    assert sum(on_board.values()) == len(dashboard_data.offices)
