"""bench_verdicts prints its figures in the issue's exact last line and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from cameras.models import Observation
from compliance.models import DailyVerdict, VerdictFinalisation
from places.models import Office

pytestmark = pytest.mark.django_db


def test_bench_verdicts_last_line_and_a_query_count_per_batch_not_per_office(monkeypatch):
    from compliance import verdict_batches

    monkeypatch.setattr(verdict_batches, "VERDICT_BATCH_SIZE", 10)
    out = StringIO()
    call_command(
        "bench_verdicts", "--offices", "10", "30", "--checks", "42", "--repeat", "1", stdout=out
    )
    lines = out.getvalue().splitlines()
    pattern = r"offices=(\d+) checks=42 verdicts_seconds=\d+\.\d queries=(\d+)"
    results = [re.fullmatch(pattern, line) for line in lines[1::2]]
    assert all(results), lines
    assert re.fullmatch(pattern, lines[-1])
    assert "final_verdicts=30 " in lines[-2]
    ten, thirty = (int(match.group(2)) for match in results)
    # Each batch of 10 offices costs the same few queries: 2 more batches, 2 x that many more.
    per_batch, remainder = divmod(thirty - ten, 2)
    assert remainder == 0
    assert per_batch <= 16
    assert not Office.objects.exists()
    assert not Observation.objects.exists()
    assert not DailyVerdict.objects.exists()
    assert not VerdictFinalisation.objects.exists()
