"""A real `celery worker` process against the real broker and database of this test run.

These tests need PostgreSQL and Redis (or RabbitMQ): `make test` runs them with DATABASE_URL and
CELERY_BROKER_URL set. They fail, never skip, when the services are missing.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kelurahan_monitor.celery import app

REPO = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    assert db["ENGINE"] == "django.db.backends.postgresql", (
        "integration tests need DATABASE_URL=postgres://… (see README: make test)"
    )
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Worker:
    """A worker subprocess; `kill()` SIGKILLs the pool child to simulate a crash mid-task."""

    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_for(condition: Callable[[], object], timeout: float, message: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(message)


@pytest.fixture
def start_worker(tmp_path: Path, transactional_db: None) -> Iterator[Callable[..., Worker]]:
    assert not settings.CELERY_BROKER_URL.startswith("filesystem"), (
        "integration tests need CELERY_BROKER_URL=redis://… or amqp://…"
    )
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
    app.control.purge()
    workers: list[Worker] = []

    def start(
        concurrency: int = 1,
        queues: str = "default,scheduling,vision,reports",
        pool: str = "prefork",
        **env: str,
    ) -> Worker:
        log_path = tmp_path / f"worker{len(workers)}.log"
        # The tests' cameras include file:// and replay: sources, as the demo's do.
        environ = dict(
            os.environ, DATABASE_URL=_database_url(), **{"CAMERA_LOCAL_SOURCES": "true", **env}
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kelurahan_monitor",
                "worker",
                "-l",
                "info",
                "-c",
                str(concurrency),
                "-P",
                pool,
                "-Q",
                queues,
                "-n",
                f"test{len(workers)}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=REPO,
            env=environ,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        worker = Worker(process, log_path)
        workers.append(worker)
        wait_for(
            lambda: " ready." in worker.log() or process.poll() is not None,
            60,
            "worker did not start",
        )
        assert process.poll() is None, worker.log()[-3000:]
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.control.purge()
