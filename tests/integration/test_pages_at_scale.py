"""bench_board and bench_export on real PostgreSQL: every page and export takes the same
number of queries for 5 offices and for 320 (past the board's summary threshold)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _queries_by_name(command: str, key: str) -> dict[str, dict[str, int]]:
    out = StringIO()
    call_command(command, "--offices", "5", "320", "--repeat", "1", stdout=out)
    found: dict[str, dict[str, int]] = {}
    for line in out.getvalue().splitlines():
        match = re.fullmatch(rf"offices=(\d+) {key}=(\w+) .*queries=(\d+) .*", line)
        assert match, line
        found.setdefault(match[2], {})[match[1]] = int(match[3])
    return found


def test_bench_board_pages_take_the_same_queries_for_5_and_320_offices(settings):
    settings.LANGUAGE_CODE = "id"
    found = _queries_by_name("bench_board", "page")
    assert set(found) == {"board", "board_kecamatan", "rankings", "month", "week"}
    for page, counts in found.items():
        assert set(counts) == {"5", "320"}, page
        assert counts["5"] == counts["320"], (page, counts)


def test_bench_export_takes_the_same_queries_for_5_and_320_offices():
    found = _queries_by_name("bench_export", "export")
    assert set(found) == {"daily_xlsx", "daily_csv", "monthly_xlsx", "monthly_csv"}
    for export, counts in found.items():
        assert counts["5"] == counts["320"], (export, counts)
