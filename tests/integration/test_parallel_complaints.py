"""30 complaints at once from one address store at most the limit (real PostgreSQL, the shared
cache a deployment uses, and threads racing through the service)."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import ComplaintInput, SubmissionRejected, submit_complaint
from places.models import Office

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PARALLEL = 30


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    if request.param == "redis":
        broker = settings.CELERY_BROKER_URL
        assert broker.startswith("redis://"), "integration tests run with a Redis broker"
        location = broker
    else:
        location = "parallel-complaints"
    backend = {
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "redis": "django.core.cache.backends.redis.RedisCache",
    }[request.param]
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_parallel_complaints_store_at_most_the_limit(kendari, shared_cache, settings):
    settings.COMPLAINT_LIMIT_PER_IP_HOUR = 5
    office = Office.objects.get(code="74.71.01.1005")
    now = timezone.now()
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []

    def submit(n: int) -> None:
        data = ComplaintInput(
            office=office,
            visited_at=now - timedelta(hours=1 + n),  # no two are duplicates
            kind="closed",
            description="Pintu kantor masih terkunci, tidak ada petugas.",
            photo_jpeg=None,
            phone="",
            email=f"warga{n}@example.com",
            source="web",
            ip="198.51.100.7",
        )
        barrier.wait()
        try:
            submit_complaint(data, now)
            outcomes.append("stored")
        except SubmissionRejected as exc:
            outcomes.append(str(exc.status))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == PARALLEL
    assert outcomes.count("stored") == 5
    assert outcomes.count("429") == PARALLEL - 5
    assert Complaint.objects.count() == 5
