"""The morning summary: once a day, at each government's set local time (08:00 by default),
the board's counts and the offices not open yet, by e-mail and by the alerts' webhook.

A MorningSummary row claims the government's day before anything is sent: a beat that runs
twice, or two workers at once, send it once. Nothing here enqueues anything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from compliance import selectors
from compliance.models import MorningSummary, VerdictStatus
from kelurahan_monitor import webhooks
from places.calendar import load_calendars
from places.models import LocalGovernment, Office
from places.vocabulary import email_list, zone_label

logger = logging.getLogger(__name__)
# A summary not sent within this long after its time is news no longer: it is skipped.
SEND_WINDOW = timedelta(hours=3)


@dataclass(frozen=True)
class NotOpenLine:
    name: str
    kecamatan: str
    scheduled_hm: str  # local "HH:MM", "" when unknown


@dataclass(frozen=True)
class MorningFacts:
    """What the summary says, as plain values (the board's counts for one government)."""

    government: str
    day: date
    at: datetime  # local instant the facts were read
    zone_label: str
    total: int
    counters: tuple[selectors.Counter, ...]
    awaiting: int
    not_open: tuple[NotOpenLine, ...]


def is_due(local_now: datetime, send_at: time, window: timedelta = SEND_WINDOW) -> bool:
    """True from `send_at` (local wall clock) until `window` after it, on `local_now`'s date."""
    start = datetime.combine(local_now.date(), send_at, tzinfo=local_now.tzinfo)
    return start <= local_now < start + window


def facts_from_tiles(
    government: str, at: datetime, zone: str, tiles: Sequence[selectors.Tile]
) -> MorningFacts:
    """The summary's facts from the board's tiles of one government (pure)."""
    tally: dict[str, int] = {}
    for tile in tiles:
        if tile.status:
            tally[tile.status] = tally.get(tile.status, 0) + 1
    return MorningFacts(
        government=government,
        day=at.date(),
        at=at,
        zone_label=zone,
        total=len(tiles),
        counters=selectors.board_counters(tally),
        awaiting=sum(1 for tile in tiles if not tile.status),
        not_open=tuple(
            NotOpenLine(tile.name, tile.kecamatan, tile.scheduled_hm)
            for tile in tiles
            if tile.status == VerdictStatus.NOT_OPENED
        ),
    )


def compose_message(facts: MorningFacts) -> tuple[str, str]:
    """Subject and body: short lines, readable on a phone, in the active language."""
    when = formats.date_format(facts.at, "l, j F Y")
    subject = _("Ringkasan pagi %(government)s %(day)s") % {
        "government": facts.government,
        "day": facts.day.strftime("%d-%m-%Y"),
    }
    lines = [
        _("Ringkasan pagi %(government)s") % {"government": facts.government},
        f"{when}, {facts.at:%H:%M} {facts.zone_label}",
        "",
        *(f"{counter.label}: {counter.count}" for counter in facts.counters),
        _("Belum dinilai: %(count)s") % {"count": facts.awaiting},
        _("Jumlah kantor: %(count)s") % {"count": facts.total},
        "",
    ]
    if facts.not_open:
        lines.append(_("Belum buka (%(count)s):") % {"count": len(facts.not_open)})
        for line in facts.not_open:
            scheduled = (
                " · " + _("jadwal %(time)s") % {"time": line.scheduled_hm}
                if line.scheduled_hm
                else ""
            )
            lines.append(f"- {line.name} ({line.kecamatan}){scheduled}")
    else:
        lines.append(_("Tidak ada kantor yang tercatat belum buka."))
    return subject, "\n".join(lines)


def morning_facts(government: LocalGovernment, now: datetime) -> MorningFacts:
    zone = ZoneInfo(government.time_zone)
    local = timezone.localtime(now, zone)
    tiles = selectors.government_tiles(government, local.date())
    return facts_from_tiles(
        f"{government.get_kind_display()} {government.name}",
        local,
        zone_label(government.time_zone),
        tiles,
    )


def _works_today(government: LocalGovernment, day: date) -> bool:
    offices = list(
        Office.objects.filter(active=True, kecamatan__local_government=government).select_related(
            "kecamatan__local_government"
        )
    )
    if not offices:
        return False
    calendars = load_calendars(offices, day, day)
    return any(calendars.office_day(office, day).is_working for office in offices)


def send_due_morning_summaries(now: datetime | None = None) -> list[int]:
    """Send the summary of every government whose time has come today and whose offices work
    today; each once (the row claims it). Returns the ids of the summaries sent now."""
    now = now or timezone.now()
    sent = []
    for government in LocalGovernment.objects.order_by("code"):
        local = timezone.localtime(now, ZoneInfo(government.time_zone))
        if not is_due(local, government.morning_summary_at):
            continue
        if MorningSummary.objects.filter(local_government=government, date=local.date()).exists():
            continue
        if not _works_today(government, local.date()):
            continue
        summary = _claim(government, local.date())
        if summary is not None:
            with translation.override("id"):
                facts = morning_facts(government, now)
            _deliver(summary, facts, government)
            sent.append(summary.pk)
    return sent


def _claim(government: LocalGovernment, day: date) -> MorningSummary | None:
    """The day's row, created now; None when another run created it first."""
    try:
        with transaction.atomic():
            return MorningSummary.objects.create(local_government=government, date=day)
    except IntegrityError:
        return None


def _deliver(summary: MorningSummary, facts: MorningFacts, government: LocalGovernment) -> None:
    """E-mail, then webhook; a failure is recorded on the row, not retried (sent once)."""
    recipients = email_list(government.report_emails) or list(settings.REPORT_RECIPIENTS)
    with translation.override("id"):
        subject, body = compose_message(facts)
    errors = []
    if recipients:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception as error:
            logger.exception("morning summary e-mail of %s failed", government)
            errors.append(f"e-mail: {error}")
    if settings.ALERT_WEBHOOK_URL:
        try:
            webhooks.post_signed_json(
                settings.ALERT_WEBHOOK_URL,
                settings.ALERT_WEBHOOK_SECRET,
                {
                    "kind": "morning_summary",
                    "government": government.code,
                    "date": facts.day.isoformat(),
                    "counts": {counter.status: counter.count for counter in facts.counters},
                    "awaiting": facts.awaiting,
                    "total": facts.total,
                    "not_open": [line.name for line in facts.not_open],
                    "message": body,
                },
            )
        except requests.RequestException as error:
            logger.warning("morning summary webhook of %s failed: %s", government, error)
            errors.append(f"webhook: {error}")
    summary.message = body
    summary.recipients = recipients
    summary.delivery_error = "; ".join(errors)[:500]
    summary.delivered_at = None if errors else timezone.now()
    summary.save(update_fields=["message", "recipients", "delivery_error", "delivered_at"])
