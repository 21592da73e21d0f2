"""Read queries about office agents for the tick, the pages and the API."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from agents.models import Agent, AgentWarning
from cameras.selectors import AgentBadge
from places.models import Office


def serving_office_ids() -> "QuerySet[Agent, int]":
    """A subquery of the offices an agent serves: the server does not reach their cameras."""
    return Agent.objects.filter(retired_at__isnull=True).values_list("office_id", flat=True)


# A day whose agent has not been in touch since it ended is waiting for its data this long at
# most; after it the day is judged on what arrived (no data where nothing did).
AGENT_WAIT_LIMIT = timedelta(days=7)


def last_contacts(office_ids: list[int]) -> dict[int, datetime | None]:
    """The last contact of the serving agent of each of these offices that has one."""
    return dict(
        Agent.objects.filter(office_id__in=office_ids, retired_at__isnull=True).values_list(
            "office_id", "last_contact_at"
        )
    )


def judging_clock(
    last_contact: datetime | None, day_start: datetime, day_end: datetime, now: datetime
) -> datetime | None:
    """The clock to judge an agent office's day by (None: judge it as finished).

    The server knows the day only up to the agent's last contact: until the agent has been in
    touch after the day ended, the day stays provisional as of that contact, whatever the
    hour on the server; after AGENT_WAIT_LIMIT it is judged on what arrived."""
    if last_contact is not None and last_contact >= day_end:
        return None
    if now - day_end > AGENT_WAIT_LIMIT:
        return None
    return max(day_start, last_contact) if last_contact is not None else day_start


@dataclass(frozen=True)
class AgentHealth:
    agent_id: int
    office_id: int
    name: str
    enrolled: bool
    revoked: bool
    last_contact_at: datetime | None
    queue_depth: int
    clock_offset_seconds: float | None
    version: str
    silent: bool  # no contact for longer than AGENT_SILENT_HOURS
    warnings: tuple[str, ...]  # the latest tamper or loss warnings


@dataclass(frozen=True)
class Silence:
    """An enrolled, serving agent not heard from for longer than AGENT_SILENT_HOURS."""

    agent_id: int
    office_id: int
    agent_name: str
    last_contact_at: datetime


def silent_agents(now: datetime) -> list[Silence]:
    """The serving, enrolled agents silent at `now` (one query). An agent never enrolled has
    no silence yet: it has not started talking."""
    cutoff = now - timedelta(hours=settings.AGENT_SILENT_HOURS)
    rows = Agent.objects.filter(
        retired_at__isnull=True,
        revoked_at__isnull=True,
        enrolled_at__isnull=False,
        last_contact_at__lt=cutoff,
    ).values_list("pk", "office_id", "name", "last_contact_at")
    return [
        Silence(pk, office_id, name, last)
        for pk, office_id, name, last in rows
        if last is not None  # the filter excludes NULL; this tells mypy
    ]


def agent_health_by_office(
    office_ids: Iterable[int] | QuerySet[Office, Any], now: datetime
) -> dict[int, AgentHealth]:
    """The serving agent of each of these offices (ids, or a query of office ids) that has
    one, in two queries."""
    silent_after = timedelta(hours=settings.AGENT_SILENT_HOURS)
    agents = list(Agent.objects.filter(office_id__in=office_ids, retired_at__isnull=True))
    recent: dict[int, list[str]] = {}
    for warning in AgentWarning.objects.filter(agent__in=agents).order_by("-created_at")[:200]:
        recent.setdefault(warning.agent_id, [])
        if len(recent[warning.agent_id]) < 5:
            recent[warning.agent_id].append(f"{warning.kind}: {warning.detail}")
    return {
        agent.office_id: AgentHealth(
            agent_id=agent.pk,
            office_id=agent.office_id,
            name=agent.name,
            enrolled=agent.enrolled_at is not None,
            revoked=agent.revoked_at is not None,
            last_contact_at=agent.last_contact_at,
            queue_depth=agent.queue_depth,
            clock_offset_seconds=agent.clock_offset_seconds,
            version=agent.version,
            silent=agent.last_contact_at is None or now - agent.last_contact_at > silent_after,
            warnings=tuple(recent.get(agent.pk, ())),
        )
        for agent in agents
    }


def wall_agent_badges(office_ids: set[int], now: datetime) -> dict[int, AgentBadge]:
    """The health of the agent serving each of these offices, as the command-centre wall
    shows it (two queries)."""
    return {
        office_id: AgentBadge(
            last_contact_at=health.last_contact_at,
            queue_depth=health.queue_depth,
            clock_offset_seconds=health.clock_offset_seconds,
            version=health.version,
            silent=health.silent,
            revoked=health.revoked,
        )
        for office_id, health in agent_health_by_office(list(office_ids), now).items()
    }
