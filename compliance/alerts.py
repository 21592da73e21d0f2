"""Alerts: office not open at opening + grace, camera down for too long, people after hours,
an office agent silent for longer than AGENT_SILENT_HOURS.

Each alert has a natural key, so it is created once however many ticks see the same fact.
The Alert rows are an outbox: the tick claims the undelivered ones (`claim_undelivered_alerts`)
and its task enqueues their delivery (e-mail through Django's backend and a signed JSON
webhook, for a WhatsApp or Telegram gateway). Nothing here enqueues anything.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.selectors import silent_agents
from compliance import domain
from compliance.models import Alert, DailyVerdict
from kelurahan_monitor import webhooks
from places.calendar import zone_of
from places.models import Office
from places.vocabulary import email_list, zone_label

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = webhooks.SIGNATURE_HEADER  # the gateway checks it (kelurahan_monitor.webhooks)


@dataclass(frozen=True)
class JudgedDay:
    """One office day as the tick judged it: what alerts are raised from."""

    office: Office
    day: date
    verdict: domain.Verdict
    checks: list[domain.CheckResult]
    new_after_hours: list[domain.CheckResult]
    policy: domain.CheckPolicy
    zone: ZoneInfo
    row: DailyVerdict | None


def raise_alerts(
    office: Office,
    day: date,
    now: datetime,
    verdict: domain.Verdict,
    checks: Sequence[domain.CheckResult],
    after_hours: Sequence[domain.CheckResult],
    policy: domain.CheckPolicy,
    zone: ZoneInfo,
) -> list[Alert]:
    """Create the alerts that the day's facts call for; return the ones created just now."""
    diskominfo = list(settings.ALERT_EMAILS)
    camat = email_list(office.alert_emails)
    wanted: list[tuple[str, str, str, list[str]]] = []
    if domain.should_alert_office_not_open(verdict) and verdict.deadline is not None:
        deadline = verdict.deadline.astimezone(zone)
        wanted.append(
            (
                f"not_open:{office.code}:{day.isoformat()}",
                Alert.Kind.NOT_OPEN,
                _("Kantor Kelurahan %(name)s belum buka pada %(time)s %(zone)s (%(date)s).")
                % {
                    "name": office.name,
                    "time": f"{deadline:%H:%M}",
                    "zone": zone_label(zone.key),
                    "date": day.isoformat(),
                },
                camat + diskominfo,
            )
        )
    since = domain.find_camera_outage_start(checks, now)
    if since is not None and domain.should_alert_camera_down(checks, now, policy):
        wanted.append(
            (
                f"camera_down:{office.code}:{since.isoformat()}",
                Alert.Kind.CAMERA_DOWN,
                _("Kamera Kelurahan %(name)s tidak mengirim gambar sejak %(time)s %(zone)s.")
                % {
                    "name": office.name,
                    "time": f"{since.astimezone(zone):%H:%M}",
                    "zone": zone_label(zone.key),
                },
                diskominfo,
            )
        )
    for check in after_hours:
        wanted.append(
            (
                f"after_hours:{office.code}:{check.slot.isoformat()}",
                Alert.Kind.AFTER_HOURS,
                _("%(people)s orang terlihat di Kantor Kelurahan %(name)s pada %(time)s %(zone)s.")
                % {
                    "people": check.people,
                    "name": office.name,
                    "time": f"{check.slot.astimezone(zone):%Y-%m-%d %H:%M}",
                    "zone": zone_label(zone.key),
                },
                diskominfo,
            )
        )
    created = []
    for key, kind, message, recipients in wanted:
        alert, is_new = Alert.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "office": office,
                "message": message,
                "recipients": recipients,
            },
        )
        if is_new:
            created.append(alert)
    return created


def raise_alerts_for(judged: JudgedDay, now: datetime) -> list[Alert]:
    """The alerts of one office day the tick has just judged (provisional days only)."""
    return raise_alerts(
        judged.office,
        judged.day,
        now,
        judged.verdict,
        judged.checks,
        judged.new_after_hours,
        judged.policy,
        judged.zone,
    )


def raise_agent_silence_alerts(now: datetime) -> list[Alert]:
    """One alert per silence of an office agent: the key is the agent and its last contact,
    so a silence is announced once however many ticks see it, and the next silence (after the
    agent was heard from again) once more. Two queries plus one insert when there are new ones."""
    silences = silent_agents(now)
    if not silences:
        return []
    keys = {f"agent_silent:{s.agent_id}:{s.last_contact_at.isoformat()}": s for s in silences}
    known = set(Alert.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = {key: s for key, s in keys.items() if key not in known}
    if not fresh:
        return []
    offices = Office.objects.select_related("kecamatan__local_government").in_bulk(
        {s.office_id for s in fresh.values()}
    )
    diskominfo = list(settings.ALERT_EMAILS)
    created = []
    for key, silence in fresh.items():
        office = offices[silence.office_id]
        zone = zone_of(office)
        message = _(
            "Agen kantor Kelurahan %(name)s tidak menghubungi server sejak %(time)s %(zone)s "
            "(lebih dari %(hours)s jam)."
        ) % {
            "name": office.name,
            "time": f"{silence.last_contact_at.astimezone(zone):%Y-%m-%d %H:%M}",
            "zone": zone_label(zone.key),
            "hours": settings.AGENT_SILENT_HOURS,
        }
        alert, is_new = Alert.objects.get_or_create(
            key=key,
            defaults={
                "kind": Alert.Kind.AGENT_SILENT,
                "office": office,
                "message": message,
                "recipients": diskominfo,
            },
        )
        if is_new:
            created.append(alert)
    return created


# A delivery claimed this long ago and still not done is handed out again (a lost message, a
# worker gone); a webhook that keeps failing is given up after MAX_DELIVERY_DISPATCHES.
DELIVERY_LEASE = timedelta(minutes=15)
MAX_DELIVERY_DISPATCHES = 3
# Alerts older than this are history, not news: never delivered late.
DELIVERY_HORIZON = timedelta(days=1)


def claim_undelivered_alerts(now: datetime) -> list[int]:
    """Claim the alerts waiting for delivery (new ones, and ones whose delivery was lost); the
    caller enqueues one delivery per id. Conditional UPDATE: two ticks never both take one."""
    waiting = (
        Alert.objects.filter(
            delivered_at__isnull=True,
            created_at__gt=now - DELIVERY_HORIZON,
            dispatch_count__lt=MAX_DELIVERY_DISPATCHES,
        )
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - DELIVERY_LEASE))
        .values_list("pk", "dispatched_at")
    )
    claimed = []
    for pk, dispatched_at in waiting:
        if Alert.objects.filter(pk=pk, dispatched_at=dispatched_at).update(
            dispatched_at=now, dispatch_count=F("dispatch_count") + 1
        ):
            claimed.append(pk)
    return claimed


def release_alert_dispatch(alert_ids: Sequence[int], now: datetime) -> int:
    """The broker refused these deliveries: let the next tick claim them again."""
    return Alert.objects.filter(pk__in=alert_ids, dispatched_at=now).update(
        dispatched_at=None, dispatch_count=F("dispatch_count") - 1
    )


def deliver_alert(alert_id: int) -> bool:
    """Send one alert by e-mail and webhook once; True when it is (now or before) delivered.

    Raises requests.RequestException on a webhook failure so the task can retry.
    """
    alert = Alert.objects.select_related("office").get(pk=alert_id)
    if alert.delivered_at is not None:
        return True
    if alert.recipients:
        send_mail(
            subject=f"[kelurahan-monitor] {alert.get_kind_display()}: {alert.office.name}",
            message=alert.message,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=alert.recipients,
        )
    if settings.ALERT_WEBHOOK_URL:
        webhooks.post_signed_json(
            settings.ALERT_WEBHOOK_URL,
            settings.ALERT_WEBHOOK_SECRET,
            {
                "id": alert.pk,
                "kind": alert.kind,
                "office": alert.office.code,
                "office_name": alert.office.name,
                "message": alert.message,
                "created_at": alert.created_at.isoformat(),
            },
        )
    Alert.objects.filter(pk=alert.pk).update(delivered_at=timezone.now(), delivery_error="")
    return True
