"""bench_board and bench_export on real PostgreSQL: every page and export takes the same
number of queries for 5 offices and for 320 (past the board's summary threshold), and the
summarised board the same for 320 and 640; an operator's board of several governments the same
for 4 and 8 of them."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _queries_by_name(
    command: str, key: str, offices: tuple[str, ...] = ("5", "320"), *options: str
) -> dict[str, dict[str, int]]:
    out = StringIO()
    call_command(command, "--offices", *offices, "--repeat", "1", *options, stdout=out)
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
        if page != "board":  # 320 offices summarise the board: counted in SQL, other queries
            assert counts["5"] == counts["320"], (page, counts)
    summarised = _queries_by_name("bench_board", "page", ("320", "640"))["board"]
    assert summarised["320"] == summarised["640"], summarised


def test_an_operators_board_takes_the_same_queries_for_4_and_8_governments(settings):
    settings.LANGUAGE_CODE = "id"
    counts = {
        governments: _queries_by_name("bench_board", "page", ("640",), "--governments", governments)
        for governments in ("4", "8")
    }
    assert set(counts["4"]) == {"board_national", "board_one_government"}
    for page in counts["4"]:
        assert counts["4"][page] == counts["8"][page], (page, counts)


def test_bench_export_takes_the_same_queries_for_5_and_320_offices():
    found = _queries_by_name("bench_export", "export")
    assert set(found) == {"daily_xlsx", "daily_csv", "monthly_xlsx", "monthly_csv"}
    for export, counts in found.items():
        assert counts["5"] == counts["320"], (export, counts)
