"""The agent's state on the box and its long-running loop: check on schedule, forward when up.

Files in the agent's home (default /var/lib/kelurahan-agent, or KELURAHAN_AGENT_HOME):
agent.json (server, token, signing key, camera addresses and credentials; mode 600),
config.json (the last configuration the server sent), queue.sqlite3 and evidence/.
"""

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kelurahan_agent import checks
from kelurahan_agent.store import Store
from kelurahan_agent.wire import Client, LinkDown, ServerRefused, contact_fields

logger = logging.getLogger("kelurahan_agent")

DEFAULT_HOME = Path("/var/lib/kelurahan-agent")
# How often the box tries to reach the server when it has nothing queued.
SYNC_INTERVAL = timedelta(minutes=5)
# After a failed contact: wait this long, doubling up to RETRY_MAX (seconds in the environment:
# a box on a hotspot that comes and goes may want to try more often).
RETRY_MIN = timedelta(seconds=15)
RETRY_MAX = timedelta(seconds=int(os.environ.get("KELURAHAN_AGENT_RETRY_MAX_SECONDS", "600")))


def home_dir() -> Path:
    return Path(os.environ.get("KELURAHAN_AGENT_HOME", str(DEFAULT_HOME)))


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Write JSON readable by the owner only (mode 600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class SyncReport:
    reached: bool = False
    sent: int = 0
    acknowledged: int = 0
    refused: int = 0
    sent_bytes: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)


class OfficeAgent:
    def __init__(
        self, home: Path, clock: Callable[[], datetime] = system_clock, speed: float = 1.0
    ) -> None:
        self.home = home
        self.clock = clock
        self.speed = speed  # clock seconds per real second (a simulated day in tests)
        self.state = read_json(home / "agent.json")
        if not self.state.get("token"):
            raise SystemExit(f"not enrolled: run `kelurahan-agent enrol URL CODE` ({home})")
        self.config = read_json(home / "config.json")
        self.store = Store(home)
        self.client = Client(self.state["server"], self.state["token"], self.state["signing_key"])
        self._plan: checks.Plan | None = None

    # --- plan and checks ------------------------------------------------------------------

    @property
    def plan(self) -> checks.Plan:
        if self._plan is None:
            self._plan = checks.plan_from_config(self.config)
        return self._plan

    def cameras(self) -> list[checks.CameraOnBox]:
        return checks.cameras_on_box(self.config, self.state.get("cameras", []))

    def budget(self) -> int:
        return int(self.config.get("evidence_budget_bytes", 1_000_000))

    def run_due_checks(self) -> list[int]:
        """Check every camera for every slot whose window is open now (once per slot)."""
        done = []
        now = self.clock()
        for slot in checks.due_slots(self.plan, now):
            for camera in self.cameras():
                sequence = checks.check_camera(
                    camera, slot, now, self.store, self.plan, self.budget(), clock=self.clock
                )
                if sequence is not None:
                    done.append(sequence)
        return done

    def check_now(self) -> list[int]:
        now = self.clock().replace(microsecond=0)
        return [
            seq
            for camera in self.cameras()
            if (
                seq := checks.check_camera(
                    camera, None, now, self.store, self.plan, self.budget(), clock=self.clock
                )
            )
            is not None
        ]

    # --- contact ----------------------------------------------------------------------------

    def _contact(self) -> dict[str, Any]:
        return contact_fields(self.store.queue_depth(), self.store.disk_used_bytes(), self.clock())

    def sync(self, batch_size: int = 200) -> SyncReport:
        """Heartbeat, new configuration if it changed, then the queue in batches until it is
        empty or the link drops. Safe to interrupt anywhere: unacknowledged records stay."""
        report = SyncReport()
        try:
            answer = self.client.heartbeat(self._contact())
            report.reached = True
            self._note_contact(float(answer.get("clock_offset_seconds", 0.0)))
            if answer.get("config_version") != self.config.get("config_version"):
                self.save_config(self.client.configuration())
            while records := self.store.pending(batch_size):
                result = self.client.upload(records, self._contact())
                self.store.mark(result.acknowledged, result.refused)
                self._note_contact(result.clock_offset_seconds)
                report.sent += len(records)
                report.acknowledged += len(result.acknowledged)
                report.refused += len(result.refused)
                report.sent_bytes += result.sent_bytes
                report.warnings += result.warnings
                if not result.acknowledged and not result.refused:
                    break  # the server answered nothing about them: try again later
        except LinkDown as exc:
            report.error = f"link down: {exc}"
        except ServerRefused as exc:
            report.error = f"server refused: {exc}"
            logger.error("server refused: %s", exc)
        self.store.put(
            "sent_bytes_total",
            str(int(self.store.get("sent_bytes_total", "0") or 0) + report.sent_bytes),
        )
        return report

    def _note_contact(self, offset: float) -> None:
        self.store.put("last_contact", self.clock().isoformat())
        self.store.put("clock_offset_seconds", f"{offset:.3f}")

    def save_config(self, config: dict[str, Any]) -> None:
        config = {k: v for k, v in config.items() if k != "server_time"}
        write_private(self.home / "config.json", config)
        self.config = config
        self._plan = None

    # --- the loop ----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        try:
            checks.warm_up(self.cameras())
        except Exception:  # the checks record what is wrong with the detector
            logger.exception("detector warm-up failed")
        logger.info("ready: %d camera(s), next check %s", len(self.cameras()), self._next_check())
        next_sync = self.clock()
        retry = min(RETRY_MIN, RETRY_MAX)
        while not stop.is_set():
            try:
                self.run_due_checks()
            except Exception:  # a broken check must not stop the box checking later slots
                logger.exception("check failed")
            now = self.clock()
            if now >= next_sync:
                report = self.sync()
                if report.error:
                    logger.warning("%s; retrying in %s", report.error, retry)
                    next_sync = self.clock() + retry
                    retry = min(retry * 2, RETRY_MAX)
                else:
                    logger.info(
                        "synced: %d sent, %d acknowledged", report.sent, report.acknowledged
                    )
                    next_sync = self.clock() + SYNC_INTERVAL
                    retry = min(RETRY_MIN, RETRY_MAX)
                self.store.purge_acknowledged(now)
            upcoming = checks.next_slots(self.plan, now, 1)
            wake = min([next_sync, *(s.at for s in upcoming)])
            seconds = (wake - self.clock()).total_seconds() / self.speed
            stop.wait(max(0.2, min(30.0, seconds)))

    def _next_check(self) -> str:
        upcoming = checks.next_slots(self.plan, self.clock(), 1)
        return upcoming[0].at.astimezone(self.plan.zone).isoformat() if upcoming else "none"

    def status(self) -> dict[str, Any]:
        now = self.clock()
        return {
            "office": self.config.get("office", {}).get("name", ""),
            "server": self.state.get("server", ""),
            "last_contact": self.store.get("last_contact") or None,
            "clock_offset_seconds": float(self.store.get("clock_offset_seconds", "0") or 0),
            "queue_depth": self.store.queue_depth(),
            "records": self.store.counts(),
            "disk_used_bytes": self.store.disk_used_bytes(),
            "evidence_bytes_queued": self.store.evidence_bytes(),
            "sent_bytes_total": int(self.store.get("sent_bytes_total", "0") or 0),
            "next_checks": [
                {"at": s.at.astimezone(self.plan.zone).isoformat(), "kind": s.kind.value}
                for s in checks.next_slots(self.plan, now, 3)
            ],
        }
