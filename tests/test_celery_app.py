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
