"""Read queries about office agents for the tick, the pages and the API."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from agents.models import Agent, AgentWarning


def serving_office_ids() -> "QuerySet[Agent, int]":
    """A subquery of the offices an agent serves: the server does not reach their cameras."""
    return Agent.objects.filter(retired_at__isnull=True).values_list("office_id", flat=True)


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


def agent_health_by_office(office_ids: list[int], now: datetime) -> dict[int, AgentHealth]:
    """The serving agent of each of these offices that has one, in two queries."""
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
