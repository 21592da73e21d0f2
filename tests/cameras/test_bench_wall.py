"""bench_wall prints its figures and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from cameras.models import Camera, CameraStill

pytestmark = pytest.mark.django_db


def test_bench_wall_prints_time_and_a_query_count_that_does_not_grow(kendari):
    out = StringIO()
    call_command("bench_wall", "--cameras", "12", "48", "--repeat", "2", stdout=out)
    lines = out.getvalue().splitlines()
    pattern = r"cameras=(\d+) wall_ms_median=\d+ wall_ms_min=\d+ queries=(\d+) html_kb=\d+"
    matches = [re.fullmatch(pattern, line) for line in lines]
    assert all(matches), lines
    assert [int(m.group(1)) for m in matches] == [12, 48]
    assert matches[0].group(2) == matches[1].group(2)  # constant queries, whatever the size
    assert not Camera.objects.exists()
    assert not CameraStill.objects.exists()
