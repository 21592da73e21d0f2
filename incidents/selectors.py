"""Read queries for incident posts."""

from datetime import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When

from incidents.models import Incident, Severity
from kelurahan_monitor import roles
from kelurahan_monitor.roles import User
from places.models import LocalGovernment

_SEVERITY_RANK = Case(
    When(severity=Severity.HIGH, then=Value(3)),
    When(severity=Severity.MEDIUM, then=Value(2)),
    default=Value(1),
    output_field=IntegerField(),
)


def active_incidents(government: LocalGovernment, now: datetime) -> QuerySet[Incident]:
    """Posts the public sees now: started, not expired, not removed; most severe, then newest,
    first. Expired posts drop out by this filter alone, without any job."""
    return (
        Incident.objects.filter(
            local_government=government,
            removed_at__isnull=True,
            starts_at__lte=now,
            expires_at__gt=now,
        )
        .annotate(severity_rank=_SEVERITY_RANK)
        .order_by("-severity_rank", "-starts_at", "-pk")
    )


def staff_incidents(user: User) -> QuerySet[Incident]:
    """Every post of the user's government, removed ones included (they stay auditable)."""
    return (
        Incident.objects.filter(local_government__in=roles.visible_governments(user))
        .select_related("camera", "created_by", "local_government")
        .order_by("-starts_at", "-pk")
    )
