"""An agent's health on the board, its silence alerted once through the alert outbox, and an
office switched between "camera reached by the server" and "agent at the office" in the admin
without losing its history."""

from datetime import timedelta

import pytest
from django.urls import reverse

from agents.models import Agent, AgentRecord
from agents.selectors import serving_office_ids
from cameras.models import Observation
from compliance import alerts
from compliance import services as compliance
from compliance.models import Alert, DailyVerdict
from tests.agents.conftest import SERVER_NOW, TUESDAY, wita

pytestmark = pytest.mark.django_db


def enrolled(agent: Agent, last_contact) -> Agent:
    agent.enrolled_at = last_contact - timedelta(days=3)
    agent.last_contact_at = last_contact
    agent.save()
    return agent


def test_a_silence_is_alerted_once_and_the_next_silence_again(agent, settings, mailoutbox):
    settings.AGENT_SILENT_HOURS = 24
    settings.ALERT_EMAILS = ["kominfo@kendarikota.go.id"]
    enrolled(agent, SERVER_NOW)

    assert alerts.raise_agent_silence_alerts(SERVER_NOW + timedelta(hours=23)) == []
    first = alerts.raise_agent_silence_alerts(SERVER_NOW + timedelta(hours=25))
    assert alerts.raise_agent_silence_alerts(SERVER_NOW + timedelta(hours=30)) == []

    assert len(first) == 1
    alert = first[0]
    assert alert.kind == Alert.Kind.AGENT_SILENT
    assert alert.office_id == agent.office_id
    assert "sejak 2026-11-25 01:00 WITA" in alert.message
    assert "lebih dari 24 jam" in alert.message
    # Through the outbox like every alert: claimed once, delivered once.
    claimed = alerts.claim_undelivered_alerts(SERVER_NOW + timedelta(hours=25, minutes=1))
    assert claimed == [alert.pk]
    assert alerts.deliver_alert(alert.pk)
    assert alerts.deliver_alert(alert.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["kominfo@kendarikota.go.id"]

    # Heard from again, then silent again: a new silence, a new alert.
    enrolled(agent, SERVER_NOW + timedelta(days=2))
    assert alerts.raise_agent_silence_alerts(SERVER_NOW + timedelta(days=2, hours=1)) == []
    again = alerts.raise_agent_silence_alerts(SERVER_NOW + timedelta(days=3, hours=2))
    assert len(again) == 1
    assert Alert.objects.filter(kind=Alert.Kind.AGENT_SILENT).count() == 2


def test_the_tick_raises_silences_and_ignores_unenrolled_revoked_and_retired_agents(
    agent, settings, kendari
):
    from places.models import Office

    settings.AGENT_SILENT_HOURS = 24
    old = SERVER_NOW - timedelta(days=5)
    enrolled(agent, old)
    first, second, third = Office.objects.exclude(pk=agent.office_id).order_by("code")[:3]
    never = Agent.objects.create(office=first)
    revoked = enrolled(Agent.objects.create(office=second), old)
    revoked.revoked_at = old
    revoked.save()
    retired = enrolled(Agent.objects.create(office=third), old)
    retired.retired_at = old
    retired.save()

    report = compliance.run_tick(SERVER_NOW)
    compliance.run_tick(SERVER_NOW + timedelta(minutes=1))

    silent = Alert.objects.filter(kind=Alert.Kind.AGENT_SILENT)
    assert list(silent.values_list("office_id", flat=True)) == [agent.office_id]
    assert report.alerts_raised >= 1
    assert never.last_contact_at is None


def test_the_board_shows_each_agents_health_silent_first(
    client, role_users, agent, office, kendari, settings, time_machine
):
    from places.models import Office

    settings.AGENT_SILENT_HOURS = 24
    time_machine.move_to(SERVER_NOW, tick=False)
    enrolled(agent, SERVER_NOW - timedelta(days=2))
    other = Office.objects.exclude(pk=office.pk).order_by("code").first()
    fresh = enrolled(Agent.objects.create(office=other), SERVER_NOW - timedelta(minutes=5))
    Agent.objects.filter(pk=fresh.pk).update(
        queue_depth=7, clock_offset_seconds=-3.4, version="0.2.0"
    )
    client.force_login(role_users["diskominfo"])

    html = client.get(reverse("compliance:board")).content.decode()

    section = html[html.index('id="agents-title"') :]
    section = section[: section.index("</section>")]
    assert "1 diam lebih dari 24 jam" in section
    assert section.index(office.name) < section.index(other.name)  # the silent one first
    assert "antrean 7" in section
    assert "selisih jam -3 detik" in section
    assert "versi 0.2.0" in section
    assert section.count("agent-silent") == 1


def test_the_board_of_a_government_without_agents_has_no_agent_section(client, role_users):
    client.force_login(role_users["diskominfo"])
    assert 'id="agents-title"' not in client.get(reverse("compliance:board")).content.decode()


def test_an_office_switches_to_its_agent_and_back_in_the_admin_keeping_its_history(
    client, box, agent, office, django_user_model
):
    camera_id = box.camera_id
    # Before the agent: the server reached the camera (a settled check on the Monday).
    monday_slot = wita(8) - timedelta(days=1)
    server_obs = Observation.objects.create(
        camera_id=camera_id,
        slot=monday_slot,
        office_date=TUESDAY - timedelta(days=1),
        kind="opening",
        status="ok",
        people_in_zone=2,
    )
    # The agent's day arrives.
    box.queue_day(lambda t: 2 if t.hour >= 8 else 0)
    answer = box.send()
    assert answer["acknowledged"]
    compliance.refresh_verdicts([(office.pk, TUESDAY)], None)
    agent_obs = set(Observation.objects.filter(camera_id=camera_id).values_list("pk", flat=True))
    records = AgentRecord.objects.filter(agent=agent).count()
    verdict = DailyVerdict.objects.get(office=office, date=TUESDAY)
    # While the agent serves, the server does not plan the office's cameras.
    assert office.pk in set(serving_office_ids())

    admin_user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    client.post(
        reverse("admin:agents_agent_changelist"),
        {"action": "retire", "_selected_action": [agent.pk]},
    )

    agent.refresh_from_db()
    assert agent.retired_at is not None
    assert office.pk not in set(serving_office_ids())
    # Nothing of the office's history went: the server's checks, the agent's, their
    # receipts, the verdict judged from them.
    assert Observation.objects.filter(pk=server_obs.pk).exists()
    assert agent_obs <= set(Observation.objects.values_list("pk", flat=True))
    assert AgentRecord.objects.filter(agent=agent).count() == records
    assert DailyVerdict.objects.get(pk=verdict.pk).status == verdict.status
    # The retired box is refused.
    assert box.post(box.body([])).status_code in (401, 403)

    # And back to an agent: a new one for the same office, added in the admin.
    response = client.post(
        reverse("admin:agents_agent_add"), {"office": office.pk, "name": "kotak-2"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agent.objects.get(office=office, retired_at__isnull=True).name == "kotak-2"
    assert office.pk in set(serving_office_ids())
    assert Agent.objects.filter(office=office).count() == 2
    assert AgentRecord.objects.filter(agent=agent).count() == records
