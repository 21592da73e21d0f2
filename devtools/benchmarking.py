"""Timing a page through the whole Django stack, for the bench_* commands."""

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class PageTiming:
    median_ms: float
    min_ms: float
    queries: int
    size_bytes: int


def time_page(client: Client, url: str, repeat: int) -> PageTiming:
    """GET `url` once to warm templates and URL caches, then `repeat` timed times."""
    client.get(url)
    durations, queries, size = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        queries, size = len(captured), len(response.content)
    return PageTiming(1000 * statistics.median(durations), 1000 * min(durations), queries, size)
