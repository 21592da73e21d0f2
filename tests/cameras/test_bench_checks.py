"""bench_checks prints the issue's exact last line and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cameras.models import Camera, Observation
from places.models import Office

pytestmark = pytest.mark.django_db

LAST_LINE = (
    r"checks_per_second=\d+\.\d fetch_ms=\d+\.\d decode_ms=\d+\.\d detect_ms=\d+\.\d "
    r"blur_ms=\d+\.\d db_ms=\d+\.\d check_to_decode_ratio=\d+\.\d peak_rss_mib=\d+"
)


def test_bench_checks_rotates_over_offices_and_rolls_back(kendari, shared_dir):
    offices_before = Office.objects.count()
    out = StringIO()
    call_command(
        "bench_checks",
        "--seconds", "1", "--offices", "3", "--size", "640x360", "--detector", "mp-fast",
        stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert re.fullmatch(LAST_LINE, lines[-1]), lines[-1]
    summary = re.fullmatch(r"checks=(\d+) seconds=[\d.]+ size=640x360 offices=3", lines[-2])
    assert summary, lines[-2]
    assert int(summary.group(1)) >= 1
    assert Office.objects.count() == offices_before
    assert not Camera.objects.exists()
    assert not Observation.objects.exists()


def test_bench_checks_refuses_zero_offices():
    with pytest.raises(CommandError, match="--offices"):
        call_command("bench_checks", "--offices", "0")
