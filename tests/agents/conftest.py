"""An office served by an agent, a box queue beside it, and helpers that post real batches."""

import gzip
import json
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest

from agents import services
from agents.domain import sign_batch
from agents.models import Agent
from cameras.checking import BurstReading
from kelurahan_agent import checks
from kelurahan_agent.store import Store
from kelurahan_agent.wire import batch_body, contact_fields
from places.models import Office
from tests.factories import CameraFactory

WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)
# The server's clock in these tests: the night after the Tuesday (every slot lies behind it).
SERVER_NOW = datetime.combine(TUESDAY + timedelta(days=1), clock_time(1, 0), tzinfo=WITA)


def wita(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(TUESDAY, clock_time(hour, minute), tzinfo=WITA)


@pytest.fixture
def office(kendari) -> Office:
    office = Office.objects.get(code="74.71.01.1005")
    CameraFactory(office=office)
    return office


@pytest.fixture
def agent(office) -> Agent:
    return Agent.objects.create(office=office, name="kotak-1")


class Box:
    """A box's queue with the agent's credentials, posting through the Django test client."""

    def __init__(self, client, store: Store, token: str, key: str, config: dict) -> None:
        self.client = client
        self.store = store
        self.token = token
        self.key = key
        self.config = config
        self.plan = checks.plan_from_config(config)
        self.camera_id = config["cameras"][0]["id"]

    def queue(self, at: datetime, people: int, *, status: str = "ok", kind: str = "opening"):
        reading = BurstReading(
            status=status,
            people_total=people if status == "ok" else None,
            people_in_zone=people if status == "ok" else None,
            detector=("test", "1"),
            signature="",
            health={"brightness": 0.5},
            evidence_jpeg=None,
            people_signals={},
            learned_scene=None,
        )
        payload = checks.record_payload(
            self.camera_id,
            checks.slot_key(at),
            kind,
            status,
            reading if status == "ok" else None,
            taken=at + timedelta(seconds=20),
        )
        return self.store.append(payload, None, at)

    def queue_day(self, people_at) -> int:
        """Queue the office's planned slots of the Tuesday with people_at(local time) people."""
        count = 0
        for slot in self.plan.slots:
            local = slot.at.astimezone(WITA)
            if local.date() == TUESDAY:
                self.queue(slot.at, people_at(local.time()), kind=slot.kind.value)
                count += 1
        return count

    def body(self, records=None) -> bytes:
        records = self.store.pending(2000) if records is None else records
        contact = contact_fields(self.store.queue_depth(), 0, SERVER_NOW)
        return batch_body(records, contact)

    def post(self, body: bytes, *, token: str | None = None, signature: str | None = None):
        return self.client.post(
            "/api/v1/agent/batches/",
            data=gzip.compress(body),
            content_type="application/json",
            headers={
                "Authorization": f"Agent {token or self.token}",
                "Content-Encoding": "gzip",
                "X-Agent-Signature": signature or sign_batch(self.key.encode(), body),
            },
        )

    def send(self):
        response = self.post(self.body())
        assert response.status_code == 200, response.content
        answer = response.json()
        self.store.mark(
            answer["acknowledged"], [(r["sequence"], r["reason"]) for r in answer["refused"]]
        )
        return answer


@pytest.fixture
def box(client, agent, tmp_path, time_machine, evidence_storage) -> Box:
    time_machine.move_to(SERVER_NOW, tick=False)
    code = services.issue_enrolment_code(agent, SERVER_NOW - timedelta(hours=1))
    response = client.post("/api/v1/agent/enrol/", {"code": code}, content_type="application/json")
    assert response.status_code == 200, response.content
    answer = response.json()
    return Box(
        client, Store(tmp_path / "box"), answer["token"], answer["signing_key"], answer["config"]
    )


__all__ = ["UTC", "json", "time"]
