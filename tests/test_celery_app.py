import os
import subprocess
import sys

from kelurahan_monitor.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    missing = {
        name: entry["task"]
        for name, entry in app.conf.beat_schedule.items()
        if entry["task"] not in app.tasks
    }
    assert not missing


def test_delivery_is_safe_for_idempotent_tasks():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]


def test_work_is_routed_to_queues_named_for_it():
    routes = app.conf.task_routes
    assert routes["cameras.tasks.*"]["queue"] == "vision"
    assert routes["compliance.tasks.*"]["queue"] == "scheduling"
    assert routes["reports.tasks.*"]["queue"] == "reports"


def test_the_redis_visibility_timeout_fits_the_longest_task_and_its_retries(tmp_path):
    """A message redelivered while its task still runs would run it twice; the visibility
    timeout must outlast every task's hard limit plus the longest retry countdown."""
    from cameras import tasks as camera_tasks
    from cameras.services import claim_lease
    from tests.test_settings_from_environment import REPO

    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(
        DJANGO_SETTINGS_MODULE="kelurahan_monitor.settings",
        KM_VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    timeout = float(result.stdout.strip().splitlines()[-1])
    app.loader.import_default_modules()
    longest = max(
        task.time_limit or app.conf.task_time_limit
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    )
    longest_countdown = 5 * 2**camera_tasks.MAX_RETRIES * 1.2
    assert timeout > longest + longest_countdown
    # The check's own hard limit stays inside its lease: a running claim older than the lease
    # belongs to a dead worker, and the tick may reclaim it.
    assert (camera_tasks.run_camera_check.time_limit or 0) < claim_lease().total_seconds()
