"""The agent API on the real server code path: enrol, configuration, batches, refusals."""

import gzip
from datetime import time, timedelta

import pytest

from agents import services
from agents.domain import sign_batch
from agents.models import Agent, AgentRecord, AgentWarning
from cameras.models import Observation
from compliance import services as compliance
from compliance.models import DailyVerdict
from places.models import AuditLogEntry
from tests.agents.conftest import SERVER_NOW, TUESDAY, WITA, wita

pytestmark = pytest.mark.django_db


def on_time(local: time) -> int:
    return 2 if time(7, 20) <= local <= time(16, 0) else 0


def late(local: time) -> int:
    return 2 if time(9, 0) <= local <= time(16, 0) else 0


def tick(minutes: int = 1):
    return compliance.refresh_changed_verdicts(SERVER_NOW + timedelta(minutes=minutes))


def verdict(office) -> DailyVerdict:
    return DailyVerdict.objects.get(office=office, date=TUESDAY)


def test_an_enrolment_code_is_used_once_and_expires(client, agent, time_machine):
    time_machine.move_to(SERVER_NOW, tick=False)
    code = services.issue_enrolment_code(agent, SERVER_NOW)
    first = client.post("/api/v1/agent/enrol/", {"code": code}, content_type="application/json")
    again = client.post("/api/v1/agent/enrol/", {"code": code}, content_type="application/json")
    assert first.status_code == 200
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "enrolment_refused"
    stale = services.issue_enrolment_code(agent, SERVER_NOW - timedelta(hours=25))
    expired = client.post("/api/v1/agent/enrol/", {"code": stale}, content_type="application/json")
    assert expired.status_code == 403


def test_the_configuration_carries_plan_inputs_and_zones_never_camera_secrets(box, office):
    camera = office.cameras.get()
    config = box.config
    assert config["office"]["time_zone"] == "Asia/Makassar"
    assert [c["id"] for c in config["cameras"]] == [camera.pk]
    assert any(day["date"] == TUESDAY.isoformat() for day in config["days"])
    text = str(config)
    assert camera.source_url not in text
    assert "password" not in text
    assert box.plan.slots  # the box plans its checks from it


def test_a_day_uploaded_late_fills_its_slots_and_gets_its_verdict_once(box, office):
    queued = box.queue_day(on_time)
    answer = box.send()
    assert len(answer["acknowledged"]) == queued
    assert answer["refused"] == []
    assert Observation.objects.filter(camera__office=office, office_date=TUESDAY).count() == queued
    judged = tick()
    assert [(j.office.pk, j.day) for j in judged] == [(office.pk, TUESDAY)]
    row = verdict(office)
    assert row.status == "on_time"
    assert row.is_final
    arrival = AuditLogEntry.objects.get(action="agent_data")
    assert f"{office.code} {TUESDAY.isoformat()}" in arrival.target
    assert "01:00" in arrival.target  # when it arrived, in the office's local time


def test_the_same_batch_twice_changes_nothing(box, office):
    box.queue_day(late)
    body = box.body()
    first = box.post(body).json()
    tick()
    before = list(Observation.objects.order_by("pk").values())
    second = box.post(body).json()
    assert second["acknowledged"] == first["acknowledged"]
    assert list(Observation.objects.order_by("pk").values()) == before
    assert AgentRecord.objects.count() == len(first["acknowledged"])
    assert not AgentWarning.objects.exists()
    assert verdict(office).status == "late"


def test_the_verdict_is_the_same_whatever_order_the_records_arrive_in(box, office):
    box.queue_day(late)
    records = box.store.pending(2000)
    middle = len(records) // 2
    box.post(box.body(records[middle:]))
    box.post(box.body(records[:middle]))
    tick()
    assert verdict(office).status == "late"
    assert Observation.objects.filter(camera__office=office).count() == len(records)
    # The first half arrived after the second: a gap, then late records; both are warned.
    kinds = set(AgentWarning.objects.values_list("kind", flat=True))
    assert kinds == {"gap", "late"}
    assert AuditLogEntry.objects.filter(action="agent_gap").exists()


def test_a_revoked_or_wrong_token_is_refused_at_once(box, agent):
    box.queue(wita(7, 30), 1)
    body = box.body()
    assert box.post(body, token="not-the-token").status_code == 401
    services.revoke_agent(agent, SERVER_NOW)
    refused = box.post(body)
    assert refused.status_code == 401
    assert not Observation.objects.exists()


def test_a_broken_signature_is_refused_and_recorded(box, agent):
    box.queue(wita(7, 30), 1)
    response = box.post(box.body(), signature="0" * 64)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_signature"
    assert AgentWarning.objects.filter(agent=agent, kind="signature").exists()
    assert AuditLogEntry.objects.filter(action="agent_signature").exists()
    assert not Observation.objects.exists()


def test_an_edited_record_is_refused_and_the_first_copy_stays(box, office):
    box.queue(wita(7, 30), 1)
    box.send()
    record = box.store.db.execute("SELECT payload FROM records").fetchone()[0]
    edited = record.replace('"people_in_zone": 1', '"people_in_zone": 5')
    box.store.db.execute("UPDATE records SET payload = ?, state = 'queued'", (edited,))
    answer = box.post(box.body()).json()
    assert answer["refused"] == [{"sequence": 1, "reason": "edited"}]
    assert Observation.objects.get().people_in_zone == 1
    assert AgentWarning.objects.filter(kind="edited").exists()


def test_records_from_the_future_are_refused_with_a_warning(box, office):
    box.queue(SERVER_NOW + timedelta(hours=3), 2)
    box.queue(wita(7, 30), 1)
    answer = box.send()
    assert len(answer["refused"]) == 1
    assert answer["refused"][0]["reason"].startswith("slot lies in the future")
    assert answer["acknowledged"] == [2]
    assert Observation.objects.count() == 1
    assert AgentWarning.objects.filter(kind="refused").exists()


def test_the_tick_does_not_reach_the_cameras_of_an_office_an_agent_serves(agent, office):
    plan = compliance.plan_due_checks(wita(7, 30))
    assert office.pk not in {
        Observation.objects.get(pk=pk).camera.office_id for pk, _ in plan.dispatched
    }
    assert not Observation.objects.filter(camera__office=office).exists()
    agent.retired_at = SERVER_NOW
    agent.save()
    compliance.plan_due_checks(wita(7, 30))
    assert Observation.objects.filter(camera__office=office).exists()


def test_the_clock_offset_and_health_of_the_box_are_kept(box, agent):
    box.queue(wita(7, 30), 1)
    box.send()
    agent.refresh_from_db()
    assert agent.last_contact_at == SERVER_NOW
    assert agent.clock_offset_seconds == 0
    assert agent.version
    assert agent.last_sequence == 1


def test_the_agent_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("enrol", "config", "heartbeat", "batches"):
        assert f"/api/v1/agent/{path}/" in schema


__all__ = ["WITA", "Agent"]


def test_a_heartbeat_measures_the_clock_and_announces_a_changed_configuration(box, office, agent):
    from kelurahan_agent.wire import contact_fields

    contact = contact_fields(3, 1234, SERVER_NOW - timedelta(seconds=90))
    headers = {"Authorization": f"Agent {box.token}"}
    first = box.client.post(
        "/api/v1/agent/heartbeat/", contact, content_type="application/json", headers=headers
    ).json()
    assert first["clock_offset_seconds"] == 90.0
    assert first["config_version"] == box.config["config_version"]
    office.opening_interval_minutes = 10
    office.save()
    second = box.client.post(
        "/api/v1/agent/heartbeat/", contact, content_type="application/json", headers=headers
    ).json()
    assert second["config_version"] != first["config_version"]
    agent.refresh_from_db()
    assert (agent.queue_depth, agent.disk_used_bytes) == (3, 1234)


def test_an_upload_cut_off_midway_is_a_broken_transfer_not_a_tampered_batch(box, agent):
    # What a box killed mid-upload leaves: the server reads a gzip stream without its end.
    queued = box.queue_day(lambda local: 1)
    body = box.body()
    whole = gzip.compress(body)
    response = box.client.post(
        "/api/v1/agent/batches/",
        data=whole[: len(whole) // 2],
        content_type="application/json",
        headers={
            "Authorization": f"Agent {box.token}",
            "Content-Encoding": "gzip",
            "X-Agent-Signature": sign_batch(box.key.encode(), body),
        },
    )
    assert response.status_code == 400
    assert "interrupted upload" in response.json()["error"]["message"]
    assert not AgentWarning.objects.filter(agent=agent).exists()
    assert box.send()["acknowledged"]  # sent again whole, it is kept
    assert Observation.objects.count() == queued
