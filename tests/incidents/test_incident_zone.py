"""The incident form reads and shows times in its government's zone, not the deployment's."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents.forms import IncidentForm
from tests.factories import LocalGovernmentFactory
from tests.incidents.test_incident_posts import form_data

pytestmark = pytest.mark.django_db

JAYAPURA = ZoneInfo("Asia/Jayapura")  # WIT, UTC+9; the deployment's default zone is WITA


@time_machine.travel(datetime(2026, 11, 24, 0, 0, tzinfo=UTC), tick=False)  # 09:00 WIT
def test_times_are_read_and_shown_in_the_governments_zone():
    papua = LocalGovernmentFactory(code="91.71", name="Jayapura", time_zone="Asia/Jayapura")
    form = IncidentForm(
        form_data(starts_at="2026-11-24T09:00", expires_at="2026-11-24T12:00"), government=papua
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"] == datetime(2026, 11, 24, 9, 0, tzinfo=JAYAPURA)
    assert form.cleaned_data["starts_at"] == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)

    blank = IncidentForm(government=papua)
    assert 'value="2026-11-24T09:00"' in str(blank["starts_at"])  # now, as a WIT wall clock
    assert 'value="2026-11-24T12:00"' in str(blank["expires_at"])
