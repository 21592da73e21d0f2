"""Publishing Celery messages from a web request: a short bound, and fail fast while the broker
is down.

Pages never wait for the broker. Kombu's default publish waits about 6 s for a broker that
refuses connections (connection retries inside `default_channel`); a wall of 40 cameras would
then hold a web worker for minutes. Here one connection is opened per request with a one-second
budget and no retries, and a failure is remembered for a few seconds (in the shared cache) so
the next requests do not even try. What was not published is simply asked for again later: the
callers' work is a row (a pending still) or a later interval.
"""

import logging
from collections.abc import Sequence
from typing import Any

from celery import Task
from django.core.cache import cache
from kombu.exceptions import OperationalError as KombuOperationalError

from kelurahan_monitor.celery import app

logger = logging.getLogger(__name__)

PUBLISH_BUDGET_S = 1.0
BROKER_DOWN_SECONDS = 15
_BROKER_DOWN_KEY = "queueing:broker-down"


def broker_known_down() -> bool:
    return bool(cache.get(_BROKER_DOWN_KEY))


def publish_from_request(messages: Sequence[tuple[Task, tuple, dict[str, Any]]]) -> int:
    """Publish (task, args, options) messages on one short-lived connection; returns how many
    went out. Never raises for a broker outage and never takes much more than a second."""
    if not messages or broker_known_down():
        return 0
    options = {
        **(app.conf.broker_transport_options or {}),
        "max_retries": 0,
        "connect_retries_timeout": PUBLISH_BUDGET_S,
        "socket_connect_timeout": PUBLISH_BUDGET_S,
        "socket_timeout": PUBLISH_BUDGET_S,
    }
    sent = 0
    try:
        with app.connection_for_write(
            transport_options=options, connect_timeout=PUBLISH_BUDGET_S
        ) as connection:
            for task, args, task_options in messages:
                # `connection` is a documented apply_async option the stubs do not list.
                task.apply_async(  # type: ignore[call-arg]
                    args, connection=connection, retry=False, **task_options
                )
                sent += 1
    except (KombuOperationalError, OSError):
        logger.warning("broker unreachable: %d message(s) not queued", len(messages) - sent)
        cache.set(_BROKER_DOWN_KEY, True, timeout=BROKER_DOWN_SECONDS)
    return sent
