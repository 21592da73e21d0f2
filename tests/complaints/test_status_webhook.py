"""A citizen who left a phone number hears each status change through the SMS/WhatsApp
gateway's webhook (signed like the alerts'); the form says so when the gateway is set."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core import mail

from complaints import services
from tests.complaints.test_citizen_feedback import submit
from tests.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.django_db


def with_phone(office, phone: str = "081234567890", email: str = ""):
    complaint = submit(office, email)
    complaint.contact_phone = phone
    complaint.save(update_fields=["contact_phone"])
    return complaint


def test_each_status_change_goes_to_the_gateway_signed(
    office, settings, django_capture_on_commit_callbacks, make_role_user, kendari
):
    complaint = with_phone(office)
    staff = make_role_user("Diskominfo", kendari, username="dk.hook")
    with webhook_receiver() as (url, received):
        settings.COMPLAINT_WEBHOOK_URL = url
        settings.COMPLAINT_WEBHOOK_SECRET = "gateway-secret"
        with django_capture_on_commit_callbacks(execute=True):
            services.mark_verified(complaint, staff.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.answer_complaint(complaint, staff.pk, "Sudah ditegur.", complaint.visited_at)
    assert len(received) == 2
    body, signature = received[1]
    assert signature == "sha256=" + hmac.new(b"gateway-secret", body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert payload["kind"] == "complaint_status"
    assert (payload["tracking_code"], payload["phone"]) == (complaint.tracking_code, "081234567890")
    assert [json.loads(b)["status"] for b, _ in received] == ["verified", "answered"]
    assert "Dijawab" in payload["message"]
    assert "Sudah ditegur" not in payload["message"]  # the answer is read on the status page
    assert mail.outbox == []  # no address, no e-mail


def test_no_phone_sends_nothing_and_a_failing_gateway_changes_nothing(
    office, settings, django_capture_on_commit_callbacks, make_role_user, kendari
):
    staff = make_role_user("Diskominfo", kendari, username="dk.nohook")
    without_phone = with_phone(office, phone="")
    with webhook_receiver(status=502) as (url, received):
        settings.COMPLAINT_WEBHOOK_URL = url
        with django_capture_on_commit_callbacks(execute=True):
            services.mark_verified(without_phone, staff.pk)
        assert received == []
        failing = with_phone(office, email="warga@example.id")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.mark_verified(failing, staff.pk)
        assert len(received) == 1
    failing.refresh_from_db()
    assert failing.status == "verified"
    assert [message.to for message in mail.outbox] == [["warga@example.id"]]


def test_the_form_says_the_phone_is_used_only_when_the_gateway_is_set(client, office, settings):
    settings.COMPLAINT_WEBHOOK_URL = ""
    assert "SMS/WhatsApp" not in client.get("/pengaduan/").content.decode()
    settings.COMPLAINT_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    html = client.get("/pengaduan/").content.decode()
    assert "kami mengirim SMS/WhatsApp setiap kali status" in html
    assert 'aria-describedby="id_phone_hint"' in html
