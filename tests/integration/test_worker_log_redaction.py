"""A real worker logs through the same redacting configuration as Django: a camera password in
a URL never reaches its log, whichever logger or traceback carries it."""

import pytest

from kelurahan_monitor.celery import app
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECRET = "S3cret-Kendari-77"
URLS = [
    f"http://127.0.0.1:9/snapshot.cgi?user=admin&pwd={SECRET}&channel=1",
    f"rtsp://admin:{SECRET}@127.0.0.1:9/Streaming/Channels/101",
]


def test_a_password_in_a_url_never_reaches_the_worker_log(start_worker):
    worker = start_worker(queues="default")
    # The worker logs the whole body of a message it cannot run, arguments included.
    app.send_task("kelurahan_monitor.no_such_task", args=URLS, queue="default")
    wait_for(lambda: "no_such_task" in worker.log(), 30, "the worker never logged the message")
    worker.stop()
    log = worker.log()
    assert SECRET not in log
    assert "pwd=***" in log
    assert "rtsp://***@127.0.0.1:9" in log
