"""The morning summary through the real broker and real worker processes: two deliveries of the
beat's task at once send one summary (the MorningSummary row claims the day)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.models import MorningSummary
from compliance.tasks import send_morning_summaries
from places.models import Holiday, LocalGovernment, OpeningHours
from tests.factories import KecamatanFactory, OfficeFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_deliveries_at_once_send_one_summary(start_worker):
    # A government whose offices work every day of the week, due a minute ago: the worker reads
    # the real clock, so the test holds at any hour and on any day.
    zone = ZoneInfo("Asia/Makassar")
    local_now = datetime.now(zone)
    due = (local_now - timedelta(minutes=1)).time() if local_now.time() >= time(0, 1) else time(0)
    government = LocalGovernment.objects.create(
        code="79.01",
        name="Uji",
        kind="kota",
        time_zone="Asia/Makassar",
        report_emails="walikota@uji.go.id",
        morning_summary_at=due,
    )
    OfficeFactory(kecamatan=KecamatanFactory(local_government=government, code="79.01.01"))
    for weekday in range(7):
        OpeningHours.objects.create(
            local_government=government,
            weekday=weekday,
            opens_at=time(0, 0),
            closes_at=time(23, 59),
        )
    Holiday.objects.all().delete()

    worker = start_worker(concurrency=2, queues="scheduling")
    for _ in range(2):
        send_morning_summaries.delay()
    wait_for(lambda: worker.log().count("succeeded") >= 2, 60, "both deliveries did not run")
    assert MorningSummary.objects.filter(local_government=government).count() == 1
    row = MorningSummary.objects.get()
    assert row.delivered_at is not None
    assert row.recipients == ["walikota@uji.go.id"]
    assert worker.log().count("Subject: Ringkasan pagi Kota Uji") == 1
