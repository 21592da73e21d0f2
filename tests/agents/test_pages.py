"""The office page of an office an agent serves: waiting, health, warnings, late verdicts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from agents.models import AgentWarning
from compliance import services as compliance
from compliance.models import DailyVerdict
from places.models import Office
from tests.agents.conftest import SERVER_NOW, TUESDAY, wita
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db


def page(client, office):
    url = reverse("compliance:office", kwargs={"code": office.code})
    return client.get(f"{url}?tanggal={TUESDAY.isoformat()}").content.decode()


def test_a_day_without_synced_data_waits_for_the_agent_instead_of_saying_no_data(
    client, role_users, agent, office, time_machine
):
    time_machine.move_to(SERVER_NOW, tick=False)
    agent.last_contact_at = wita(6, 10)
    agent.queue_depth = 12
    agent.version = "0.1.0"
    agent.clock_offset_seconds = -42
    agent.save()
    compliance.refresh_verdicts([(office.pk, TUESDAY)], None)
    verdict = DailyVerdict.objects.filter(office=office, date=TUESDAY).first()
    assert verdict is None or not verdict.is_final  # the day is provisional as of 06:10
    client.force_login(role_users["diskominfo"])
    html = page(client, office)
    assert "Menunggu agen kantor (kontak terakhir 24 Nov 06:10)" in html
    assert "Agen kantor" in html
    assert ">12<" in html  # the queue on the box
    assert "-42 detik" in html
    assert "0.1.0" in html


def test_an_agent_silent_too_long_raises_an_alert_and_its_warnings_show(
    client, role_users, agent, office, time_machine, settings
):
    settings.AGENT_SILENT_HOURS = 24
    time_machine.move_to(SERVER_NOW + timedelta(days=2), tick=False)
    agent.last_contact_at = SERVER_NOW
    agent.save()
    AgentWarning.objects.create(
        agent=agent, kind="gap", sequence=9, detail="records 7-8 missing", created_at=SERVER_NOW
    )
    client.force_login(role_users["diskominfo"])
    html = page(client, office)
    assert "lebih dari 24 jam" in html
    assert "gap: records 7-8 missing" in html
    assert "Menunggu agen kantor" not in html  # in touch after the day ended: nothing waits


def test_an_office_without_an_agent_shows_no_agent_section(client, role_users, office):
    client.force_login(role_users["diskominfo"])
    assert "Agen kantor" not in page(client, office)


@pytest.fixture
def still_requests(monkeypatch):
    """The captures the wall asks for (recorded, not sent)."""
    from cameras import stills, tasks

    calls: list = []
    monkeypatch.setattr(
        tasks.capture_still, "apply_async", lambda args, expires=None, **kw: calls.append(args)
    )
    monkeypatch.setattr(stills.transaction, "on_commit", lambda callback: callback())
    return calls


def test_the_wall_shows_each_agents_health_flags_the_silent_and_never_captures_its_cameras(
    client, role_users, agent, office, kendari, time_machine, settings, still_requests
):
    settings.AGENT_SILENT_HOURS = 24
    reached = CameraFactory(office=Office.objects.exclude(pk=office.pk).first(), name="Loket")
    time_machine.move_to(SERVER_NOW, tick=False)
    agent.enrolled_at = SERVER_NOW - timedelta(days=3)
    agent.last_contact_at = SERVER_NOW - timedelta(hours=30)
    agent.queue_depth = 17
    agent.version = "0.1.0"
    agent.clock_offset_seconds = -42
    agent.save()
    client.force_login(role_users["diskominfo"])
    html = client.get(reverse("cameras:wall")).content.decode()
    served = office.cameras.get()
    tile = html.split(f'data-camera="{served.pk}"')[1].split("</li>")[0]
    assert "Agen kantor" in tile
    assert "diam" in tile
    assert "kontak terakhir <time" in tile
    assert ">23 Nov 19:00</time>" in tile  # WITA, 30 h before the server's 01:00
    assert "antrean 17" in tile
    assert "-42 detik" in tile
    assert "versi 0.1.0" in tile
    assert "1 agen kantor" in html
    assert "1 diam lebih dari 24 jam" in html
    other = html.split(f'data-camera="{reached.pk}"')[1].split("</li>")[0]
    assert "Agen kantor" not in other
    # The server asks for a still of the camera it reaches, never of one only the box reaches.
    assert [args[0] for args in still_requests] == [reached.pk]

    agent.last_contact_at = SERVER_NOW - timedelta(minutes=5)
    agent.save()
    html = client.get(reverse("cameras:wall_partial")).content.decode()
    tile = html.split(f'data-camera="{served.pk}"')[1].split("</li>")[0]
    assert "Agen kantor" in tile
    assert "diam" not in tile
    assert "lebih dari 24 jam" not in html


def test_a_day_that_waited_its_limit_for_the_agent_is_judged_on_what_arrived(
    client, role_users, agent, office, time_machine
):
    agent.enrolled_at = wita(5)
    agent.last_contact_at = wita(6, 10)  # and never again
    agent.save()
    time_machine.move_to(SERVER_NOW, tick=False)
    compliance.refresh_verdicts([(office.pk, TUESDAY)], None)  # the nightly finalisation
    compliance.finalise_waited_agent_days(SERVER_NOW)
    verdict = DailyVerdict.objects.filter(office=office, date=TUESDAY).first()
    assert verdict is None or not verdict.is_final  # waiting for the agent
    client.force_login(role_users["diskominfo"])
    assert "Menunggu agen kantor" in page(client, office)

    # AGENT_WAIT_LIMIT (7 days) after the Tuesday ended: judged on what arrived, once.
    later = SERVER_NOW + timedelta(days=7, hours=1)
    time_machine.move_to(later, tick=False)
    assert "Menunggu agen kantor" not in page(client, office)
    compliance.finalise_waited_agent_days(later)
    verdict = DailyVerdict.objects.get(office=office, date=TUESDAY)
    assert verdict.is_final
    assert verdict.status == "no_data"
    time_machine.move_to(later + timedelta(minutes=30), tick=False)
    compliance.finalise_waited_agent_days(later + timedelta(minutes=30))
    assert DailyVerdict.objects.get(office=office, date=TUESDAY).computed_at == verdict.computed_at
