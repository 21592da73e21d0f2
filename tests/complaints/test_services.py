"""Services: camera checks against stored observations, SLA dates from the holiday calendar,
staff actions with their audit trail, and the selectors other apps call."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from complaints import domain, selectors, services
from complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


VISIT_DAY = date(2026, 11, 23)  # a Monday


def submit(office, visited_at=None, now=None, email="", phone="081200000001", ip="10.1.1.1"):
    visited_at = visited_at or at(VISIT_DAY, 8, 30)
    return services.submit_complaint(
        services.ComplaintInput(
            office=office,
            visited_at=visited_at,
            kind="closed",
            description="Kantor masih tutup ketika saya datang.",
            photo_jpeg=None,
            phone=phone,
            email=email,
            source="web",
            ip=ip,
        ),
        now or at(VISIT_DAY, 9, 0),
    )


def test_closed_office_seen_by_camera_corroborates(office, observe):
    first = observe(at(VISIT_DAY, 8, 20), 0)
    second = observe(at(VISIT_DAY, 8, 35), 0)
    observe(at(VISIT_DAY, 9, 0), 3)  # outside the window
    complaint = submit(office)
    assert complaint.verification == "corroborated"
    assert complaint.evidence_observation_ids == [first.pk, second.pk]
    assert complaint.verification_checked_at is not None


def test_staffed_office_seen_by_camera_contradicts(office, observe):
    seen = observe(at(VISIT_DAY, 8, 25), 2)
    assert submit(office).verification == "contradicted"
    assert Complaint.objects.get().evidence_observation_ids == [seen.pk]


def test_camera_faults_only_is_unverifiable(office, observe):
    observe(at(VISIT_DAY, 8, 25), None, status="unreachable")
    observe(at(VISIT_DAY, 8, 30), None, status="dark")
    complaint = submit(office)
    assert complaint.verification == "unverifiable"
    assert complaint.evidence_observation_ids == []


def test_other_offices_cameras_do_not_count(office, observe, kendari):
    from cameras.models import Camera, Observation
    from places.models import Office

    other = Office.objects.exclude(pk=office.pk).first()
    camera = Camera.for_office(other, name="x", source_url="file:///y")
    camera.save()
    Observation.objects.create(
        camera=camera,
        slot=at(VISIT_DAY, 8, 30),
        office_date=VISIT_DAY,
        status="ok",
        people_in_zone=0,
    )
    assert submit(office).verification == "unverifiable"


def test_recheck_picks_up_late_observations_and_is_idempotent(office, observe):
    complaint = submit(office)
    assert complaint.verification == "unverifiable"
    observe(at(VISIT_DAY, 8, 40), 0)
    services.verify_complaint(complaint.pk)
    services.verify_complaint(complaint.pk)
    complaint.refresh_from_db()
    assert complaint.verification == "corroborated"
    checked = complaint.events.filter(action="checked")
    assert [e.details["to"] for e in checked] == ["unverifiable", "corroborated"]


def test_verification_task_wraps_the_service(office, observe):
    from complaints.tasks import verify_complaint

    complaint = submit(office)
    observe(at(VISIT_DAY, 8, 30), 4)
    assert verify_complaint.run(complaint.pk) == "contradicted"


def test_due_dates_follow_the_holiday_calendar(office):
    # Received Tuesday 22 Dec 2026: 24 (cuti bersama) and 25 (Natal) are not working days.
    complaint = submit(
        office, visited_at=at(date(2026, 12, 22), 8, 0), now=at(date(2026, 12, 22), 9, 0)
    )
    assert complaint.received_on == date(2026, 12, 22)
    assert complaint.forward_due == date(2026, 12, 29)
    assert complaint.answer_due == date(2026, 12, 31)


def test_received_on_is_the_local_date(office):
    # 23:30 UTC on the 23rd is 07:30 WITA on the 24th.
    from datetime import UTC

    complaint = submit(office, now=datetime(2026, 11, 23, 23, 30, tzinfo=UTC))
    assert complaint.received_on == date(2026, 11, 24)


def test_forward_emails_the_camat_without_contact_and_logs_it(office):
    staff = UserFactory(is_staff=True)
    complaint = submit(office, email="warga@example.com")
    services.forward_to_camat(complaint, staff.pk, "https://monitor/x", at(VISIT_DAY, 10, 0))
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FORWARDED
    assert complaint.forwarded_at == at(VISIT_DAY, 10, 0)
    (message,) = mail.outbox
    assert message.to == ["camat.mandonga@example.go.id", "sekcam@example.go.id"]
    assert complaint.tracking_code in message.subject
    assert "warga@example.com" not in message.body
    assert "081200000001" not in message.body
    event = complaint.events.get(action="forwarded")
    assert (event.actor, event.from_status, event.to_status) == (staff, "received", "forwarded")


def test_forward_without_camat_address_is_refused(office):
    office.alert_emails = ""
    office.save()
    complaint = submit(office)
    with pytest.raises(services.ActionRefused, match="belum memiliki alamat e-mail camat"):
        services.forward_to_camat(complaint, None, "https://x", at(VISIT_DAY, 10, 0))
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    assert mail.outbox == []


def test_answer_sets_auto_close_and_the_beat_job_closes_once(office):
    complaint = submit(office)
    services.answer_complaint(complaint, None, "Sudah ditegur.", at(VISIT_DAY, 11, 0))
    complaint.refresh_from_db()
    assert complaint.close_due == date(2026, 12, 7)  # 10 working days after Mon 23 Nov
    assert services.close_unanswered_complaints(date(2026, 12, 4)) == 0
    assert services.close_unanswered_complaints(date(2026, 12, 7)) == 1
    assert services.close_unanswered_complaints(date(2026, 12, 8)) == 0
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.events.filter(action="auto_closed").count() == 1


def test_citizen_reply_stops_auto_close(office):
    complaint = submit(office)
    services.answer_complaint(complaint, None, "Sudah ditegur.", at(VISIT_DAY, 11, 0))
    services.record_citizen_reply(complaint.tracking_code, "Masih tutup.", at(VISIT_DAY, 12, 0))
    assert services.close_unanswered_complaints(date(2026, 12, 31)) == 0


def test_every_staff_change_is_in_the_audit_trail(office):
    staff = UserFactory(is_staff=True)
    complaint = submit(office)
    services.assign_complaint(complaint, staff.pk, staff.pk)
    services.mark_verified(complaint, staff.pk)
    services.answer_complaint(complaint, staff.pk, "Jawaban.", at(VISIT_DAY, 11, 0))
    services.close_complaint(complaint, staff.pk, at(VISIT_DAY, 12, 0))
    with pytest.raises(services.ActionRefused):
        services.close_complaint(complaint, staff.pk, at(VISIT_DAY, 12, 0))
    actions = list(complaint.events.values_list("action", "to_status", "actor"))
    assert actions == [
        ("created", "received", None),
        ("checked", "", None),
        ("assigned", "", staff.pk),
        ("status", "verified", staff.pk),
        ("answered", "answered", staff.pk),
        ("status", "closed", staff.pk),
    ]


def test_count_complaints_by_office_uses_receipt_dates(office, kendari):
    from places.models import Office

    other = Office.objects.exclude(pk=office.pk).first()
    submit(office, now=at(VISIT_DAY, 9, 0), phone="081200000001")
    submit(office, visited_at=at(VISIT_DAY, 10, 0), now=at(VISIT_DAY, 10, 5), phone="081200000002")
    submit(other, now=at(date(2026, 11, 20), 9, 0), visited_at=at(date(2026, 11, 20), 8, 0))
    assert selectors.count_complaints_by_office(VISIT_DAY, VISIT_DAY) == {office.pk: 2}
    assert selectors.count_complaints_by_office(date(2026, 11, 1), date(2026, 11, 30)) == {
        office.pk: 2,
        other.pk: 1,
    }


def test_overdue_complaints(office):
    late = submit(office)  # forward due Thu 26 Nov, answer due Mon 30 Nov
    forwarded = submit(office, visited_at=at(VISIT_DAY, 10, 0), phone="081200000002")
    Complaint.objects.filter(pk=forwarded.pk).update(status="forwarded")
    assert list(selectors.overdue_complaints(date(2026, 11, 26))) == []
    assert list(selectors.overdue_complaints(date(2026, 11, 27))) == [late]
    assert set(selectors.overdue_complaints(date(2026, 12, 1))) == {late, forwarded}


def test_event_model_str_is_readable(office):
    complaint = submit(office)
    assert complaint.tracking_code in str(ComplaintEvent.objects.first())
    assert str(complaint).endswith(office.name)


def test_complaint_filed_during_the_window_is_rechecked_once_it_settles(office, observe):
    filed = at(VISIT_DAY, 8, 32)
    complaint = submit(office, now=filed)
    assert complaint.verification == "unverifiable"
    observe(at(VISIT_DAY, 8, 40), 0)  # the 08:40 check arrives after the complaint
    assert services.recheck_recent_complaints(at(VISIT_DAY, 8, 45)) == 0  # window still open
    assert services.recheck_recent_complaints(at(VISIT_DAY, 8, 55)) == 1
    assert services.recheck_recent_complaints(at(VISIT_DAY, 9, 0)) == 0  # settled: done
    complaint.refresh_from_db()
    assert complaint.verification == "corroborated"


def test_complaint_filed_after_the_window_is_not_rechecked(office, observe):
    submit(office, now=at(VISIT_DAY, 9, 30))
    assert services.recheck_recent_complaints(at(VISIT_DAY, 10, 0)) == 0


@pytest.mark.django_db
def test_the_overdue_filter_and_the_overdue_flags_say_the_same(office):
    """One rule (complaints.domain.OVERDUE_RULES): the SQL filter of the staff list, the banner
    and the exports picks exactly the complaints the pages flag, in every status."""
    today = date(2026, 12, 1)
    made = []
    for status in ComplaintStatus.values:
        for forward_due, answer_due in (
            (date(2026, 11, 30), date(2026, 12, 2)),  # forwarding late, answer still in time
            (date(2026, 11, 27), date(2026, 11, 30)),  # both late
            (today, today),  # due today: still in time
        ):
            n = len(made)
            complaint = submit(office, phone=f"08120000{n:04d}", ip=f"10.2.0.{n + 1}")
            Complaint.objects.filter(pk=complaint.pk).update(
                status=status, forward_due=forward_due, answer_due=answer_due
            )
            made.append(complaint.pk)
    rows = Complaint.objects.filter(pk__in=made)
    flagged = {
        c.pk for c in rows if domain.overdue_flags(c.status, today, c.forward_due, c.answer_due)
    }
    assert set(rows.filter(selectors.overdue_filter(today)).values_list("pk", flat=True)) == flagged
    assert {c.pk for c in selectors.overdue_complaints(today)} == flagged
    assert len(flagged) == 2 + 2 + 1  # received, verified: two each; forwarded: answer late once
    assert set(ComplaintStatus.values) >= domain.AWAITING_ANSWER
