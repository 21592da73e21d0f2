import hashlib
import hmac
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cameras.models import Observation
from compliance import alerts, services
from compliance.models import Alert
from places.models import Office
from tests.factories import CameraFactory
from tests.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
DAY = date(2026, 11, 24)


def wita(hour: int, minute: int) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=WITA)


@pytest.fixture
def office(kendari) -> Office:
    office = Office.objects.get(code="74.71.01.1005")
    office.alert_emails = "camat.mandonga@kendarikota.go.id"
    office.save()
    CameraFactory(office=office)
    return office


def observe(office: Office, start: datetime, end: datetime, people: int | None, status="ok"):
    """Checks as a camera records them: facts with the instant they were written."""
    camera = office.cameras.first()
    moment = start
    while moment <= end:
        Observation.objects.create(
            camera=camera,
            slot=moment,
            office_date=DAY,
            status=status,
            people_in_zone=people,
            recorded_at=moment + timedelta(seconds=20),
        )
        moment += timedelta(minutes=5)


def tick(now: datetime) -> services.TickReport:
    """The compliance tick at `now` (what the beat task runs, without publishing)."""
    return services.run_tick(now)


def test_office_not_open_alerts_the_camat_and_diskominfo_once(
    office, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.ALERT_EMAILS = ["diskominfo@kendarikota.go.id"]
    observe(office, wita(7, 0), wita(7, 55), people=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = tick(wita(7, 56))
        second = tick(wita(7, 57))
    alert = Alert.objects.get(kind=Alert.Kind.NOT_OPEN)
    assert callbacks == []  # nothing is enqueued from the service: the outbox is claimed
    assert (first.alerts_to_deliver, second.alerts_to_deliver) == ([alert.pk], [])
    assert alert.recipients == ["camat.mandonga@kendarikota.go.id", "diskominfo@kendarikota.go.id"]
    assert "Mandonga" in alert.message
    alerts.deliver_alert(alert.pk)
    alerts.deliver_alert(alert.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == alert.recipients


def test_camera_down_for_more_than_30_minutes_alerts_once(office, settings):
    settings.ALERT_EMAILS = ["diskominfo@kendarikota.go.id"]
    observe(office, wita(7, 0), wita(7, 10), people=2)
    observe(office, wita(7, 15), wita(7, 50), people=None, status="timeout")
    Observation.objects.filter(slot__gt=wita(7, 40)).update(recorded_at=None)
    tick(wita(7, 40))
    assert not Alert.objects.filter(kind=Alert.Kind.CAMERA_DOWN).exists()
    Observation.objects.filter(slot__gt=wita(7, 40)).update(recorded_at=wita(7, 50))
    tick(wita(7, 50))
    tick(wita(7, 55))
    alert = Alert.objects.get(kind=Alert.Kind.CAMERA_DOWN)
    assert alert.recipients == ["diskominfo@kendarikota.go.id"]
    assert "07:15" in alert.message


def test_replays_and_final_recomputes_raise_no_alerts(office):
    observe(office, wita(7, 0), wita(9, 0), people=0)
    services.refresh_daily_verdict(office.pk, DAY, wita(9, 0))
    services.refresh_daily_verdict(office.pk, DAY, None)
    services.recompute_verdicts(DAY, DAY)
    assert not Alert.objects.exists()


def test_a_lost_delivery_is_claimed_again_after_its_lease_and_then_given_up(office):
    observe(office, wita(7, 0), wita(7, 55), people=0)
    alert_id = tick(wita(7, 56)).alerts_to_deliver[0]
    assert tick(wita(7, 57)).alerts_to_deliver == []
    later = wita(7, 56) + alerts.DELIVERY_LEASE + timedelta(minutes=1)
    assert alerts.claim_undelivered_alerts(later) == [alert_id]
    much_later = later + alerts.DELIVERY_LEASE + timedelta(minutes=1)
    assert alerts.claim_undelivered_alerts(much_later) == [alert_id]
    assert alerts.claim_undelivered_alerts(much_later + alerts.DELIVERY_LEASE * 2) == []


def test_a_delivery_the_broker_refused_is_claimed_by_the_next_tick(office):
    observe(office, wita(7, 0), wita(7, 55), people=0)
    now = wita(7, 56)
    claimed = tick(now).alerts_to_deliver
    assert alerts.release_alert_dispatch(claimed, now) == 1
    assert alerts.claim_undelivered_alerts(wita(7, 57)) == claimed


def test_webhook_is_signed(office, settings):
    with webhook_receiver() as (url, received):
        settings.ALERT_WEBHOOK_URL = url
        settings.ALERT_WEBHOOK_SECRET = "shared-secret"
        observe(office, wita(7, 0), wita(7, 55), people=0)
        tick(wita(7, 56))
        alert = Alert.objects.get()
        assert alerts.deliver_alert(alert.pk)
    body, signature = received[0]
    expected = hmac.new(b"shared-secret", body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert json.loads(body)["office"] == "74.71.01.1005"
    alert.refresh_from_db()
    assert alert.delivered_at is not None
