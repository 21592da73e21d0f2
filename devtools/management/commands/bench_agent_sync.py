"""bench_agent_sync: the server ingesting D days of queued records from N office agents.

Every office gets an agent and a camera; each agent's queue (the box's own chain and batch
format, kelurahan_agent.wire) is posted day by day through the real upload endpoint (token,
gzip, signature, chain, timeline, the cameras write path). Only the uploads are timed. Everything
is created in a transaction that is rolled back.

A bench office's day is 42 records: it opens 08:00-16:30 and its box checks every 10 minutes
around opening (07:30-11:00: 22), hourly through the day (4), every 10 minutes around closing
(16:00-17:00: 7), hourly after hours until 22:00 (5) and every 2 hours at night (4). (The
office defaults, 5-minute opening checks and no security checks, give 54.) The last line is the
issue's interface:

    offices=1000 days=1 records=42000 seconds=12.3 records_per_second=3415
"""

import gzip
import hashlib
import secrets
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agents.domain import GENESIS_HASH, record_hash, sign_batch
from agents.models import Agent
from agents.services import agent_configuration
from cameras.checking import BurstReading
from cameras.models import Camera
from compliance.services import refresh_changed_verdicts
from kelurahan_agent import checks
from kelurahan_agent.store import QueuedRecord
from kelurahan_agent.wire import batch_body, contact_fields
from places.models import Kecamatan, LocalGovernment, Office, OpeningHours

ZONE = ZoneInfo("Asia/Makassar")


class Command(BaseCommand):
    help = (
        "Benchmark the agent upload path: N offices x D days of queued records, posted as "
        "signed gzip batches to /api/v1/agent/batches/ (rolled back afterwards)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, default=1000)
        parser.add_argument("--days", type=int, default=1)

    def handle(self, *args: object, offices: int, days: int, **options: object) -> None:
        if offices < 1 or days < 1:
            raise CommandError("--offices and --days must be at least 1")
        with transaction.atomic():
            agents = self._create_agents(offices)
            client = Client(HTTP_HOST="localhost")
            today = timezone.now().astimezone(ZONE).date()
            first_day = today - timedelta(days=days)
            bodies = [
                self._bodies(agent, token, key, first_day, days) for agent, token, key in agents
            ]
            records = sum(count for per_agent in bodies for _, _, _, count in per_agent)
            sent_bytes = sum(len(body) for per_agent in bodies for _, body, _, _ in per_agent)
            client.get("/api/v1/agent/config/")  # load the URL conf and views before timing
            started = clock.perf_counter()
            for per_agent in bodies:
                for token, body, signature, _ in per_agent:
                    response = client.post(
                        "/api/v1/agent/batches/",
                        data=body,
                        content_type="application/json",
                        headers={
                            "Authorization": f"Agent {token}",
                            "Content-Encoding": "gzip",
                            "X-Agent-Signature": signature,
                        },
                    )
                    if response.status_code != 200 or response.json()["refused"]:
                        raise CommandError(f"upload refused: {response.content[:300]!r}")
            seconds = clock.perf_counter() - started
            tick_started = clock.perf_counter()
            judged = refresh_changed_verdicts(timezone.now() + timedelta(minutes=1))
            tick_seconds = clock.perf_counter() - tick_started
            transaction.set_rollback(True)
        self.stdout.write(
            f"gzip_bytes_per_office_day={sent_bytes // (offices * days)} "
            f"records_per_office_day={records // (offices * days)} (counts only, no evidence)"
        )
        self.stdout.write(f"tick_refresh_seconds={tick_seconds:.1f} office_days={len(judged)}")
        self.stdout.write(
            f"offices={offices} days={days} records={records} seconds={seconds:.1f} "
            f"records_per_second={records / seconds:.0f}"
        )

    def _create_agents(self, count: int) -> list[tuple[Agent, str, str]]:
        government = LocalGovernment.objects.create(code="99.96", name="Bench agen", kind="kota")
        kecamatan = Kecamatan.objects.create(local_government=government, code="99.96.01", name="B")
        OpeningHours.objects.bulk_create(
            OpeningHours(
                local_government=government, weekday=day, opens_at=time(8), closes_at=time(16, 30)
            )
            for day in range(7)
        )
        offices = Office.objects.bulk_create(
            Office(
                code=f"99.96.{n // 10000:02d}.{n % 10000:04d}",
                name=f"Bench {n}",
                kecamatan=kecamatan,
                opening_interval_minutes=10,
                after_hours_checks=True,
                night_checks=True,
            )
            for n in range(count)
        )
        Camera.objects.bulk_create(
            Camera.for_office(office, name="c", source_url="http://127.0.0.1:9/")
            for office in offices
        )
        tokens = [secrets.token_urlsafe(32) for _ in offices]
        keys = [secrets.token_hex(32) for _ in offices]
        agents = Agent.objects.bulk_create(
            Agent(
                office=office,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                signing_key=key,
                enrolled_at=timezone.now(),
            )
            for office, token, key in zip(offices, tokens, keys, strict=True)
        )
        return list(zip(agents, tokens, keys, strict=True))

    def _bodies(
        self, agent: Agent, token: str, key: str, first_day: date, days: int
    ) -> list[tuple[str, bytes, str, int]]:
        """One batch per day of this agent's queue, as the box would send it."""
        config = agent_configuration(agent, datetime.combine(first_day, time(0), tzinfo=ZONE))
        plan = checks.plan_from_config(config)
        camera_id = config["cameras"][0]["id"]
        sequence, previous = 0, GENESIS_HASH
        out = []
        for n in range(days):
            day = first_day + timedelta(days=n)
            queued = []
            for slot in plan.slots:
                local = slot.at.astimezone(ZONE)
                if local.date() != day:
                    continue
                people = 2 if time(7, 55) <= local.time() <= time(16, 30) else 0
                reading = BurstReading(
                    "ok", people, people, ("mediapipe", "0.10.21"), "a1b2c3d4e5f60718",
                    {"brightness": 0.41, "detail": 0.23, "motion": 0.01}, None, {"pose": people},
                    None,
                )  # fmt: skip
                payload = checks.record_payload(
                    camera_id,
                    checks.slot_key(slot.at),
                    slot.kind.value,
                    "ok",
                    reading,
                    taken=slot.at + timedelta(seconds=12),
                    duration_ms=1800,
                )
                sequence += 1
                digest = record_hash(previous, payload)
                queued.append(QueuedRecord(sequence, previous, digest, payload, None))
                previous = digest
            contact = contact_fields(0, 0, timezone.now())
            body = batch_body(queued, contact)
            out.append((token, gzip.compress(body, 9), sign_batch(key.encode(), body), len(queued)))
        return out
