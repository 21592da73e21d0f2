"""bench_agent_sync: its last line is the issue's interface, a bench office's day is 42 records,
and everything it made is rolled back."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from agents.models import Agent, AgentRecord
from cameras.models import Observation

pytestmark = pytest.mark.django_db


def test_the_last_line_counts_42_records_per_office_day_and_nothing_stays():
    out = StringIO()

    call_command("bench_agent_sync", offices=2, days=2, stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    match = re.fullmatch(
        r"offices=2 days=2 records=(\d+) seconds=\d+\.\d records_per_second=\d+", last
    )
    assert match, last
    assert int(match.group(1)) == 2 * 2 * 42
    assert "office_days=4" in out.getvalue()  # the tick refreshed each office-day once
    assert not Agent.objects.exists()
    assert not AgentRecord.objects.exists()
    assert not Observation.objects.exists()
