import hashlib
import hmac
import json
import threading
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from cameras.models import Observation
from compliance import alerts, services
from compliance.models import Alert, Office
from tests.factories import CameraFactory

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
    camera = office.cameras.first()
    moment = start
    while moment <= end:
        Observation.objects.create(
            camera=camera, slot=moment, office_date=DAY, status=status, people_in_zone=people
        )
        moment += timedelta(minutes=5)


def test_office_not_open_alerts_the_camat_and_diskominfo_once(
    office, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.ALERT_EMAILS = ["diskominfo@kendarikota.go.id"]
    observe(office, wita(7, 0), wita(7, 55), people=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.refresh_daily_verdict(office.pk, DAY, wita(7, 56), send_alerts=True)
        services.refresh_daily_verdict(office.pk, DAY, wita(7, 57), send_alerts=True)
    alert = Alert.objects.get(kind=Alert.Kind.NOT_OPEN)
    assert len(callbacks) == 1
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
    services.refresh_daily_verdict(office.pk, DAY, wita(7, 40), send_alerts=True)
    assert not Alert.objects.filter(kind=Alert.Kind.CAMERA_DOWN).exists()
    services.refresh_daily_verdict(office.pk, DAY, wita(7, 50), send_alerts=True)
    services.refresh_daily_verdict(office.pk, DAY, wita(7, 55), send_alerts=True)
    alert = Alert.objects.get(kind=Alert.Kind.CAMERA_DOWN)
    assert alert.recipients == ["diskominfo@kendarikota.go.id"]
    assert "07:15" in alert.message


def test_replays_and_final_recomputes_raise_no_alerts(office):
    observe(office, wita(7, 0), wita(9, 0), people=0)
    services.refresh_daily_verdict(office.pk, DAY, wita(9, 0))
    services.refresh_daily_verdict(office.pk, DAY, None, send_alerts=True)
    assert not Alert.objects.exists()


def test_webhook_is_signed(office, settings):
    received: list[tuple[bytes, str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers[alerts.SIGNATURE_HEADER]))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/hook"
        settings.ALERT_WEBHOOK_SECRET = "shared-secret"
        observe(office, wita(7, 0), wita(7, 55), people=0)
        services.refresh_daily_verdict(office.pk, DAY, wita(7, 56), send_alerts=True)
        alert = Alert.objects.get()
        assert alerts.deliver_alert(alert.pk)
    finally:
        server.shutdown()
        server.server_close()
    body, signature = received[0]
    expected = hmac.new(b"shared-secret", body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert json.loads(body)["office"] == "74.71.01.1005"
    alert.refresh_from_db()
    assert alert.delivered_at is not None
