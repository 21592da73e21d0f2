from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cameras.models import Camera
from compliance.models import DailyVerdict
from devtools import replay
from devtools.demo import OFFICE_CAMERA_NAME, build_demo_scenario, history_for
from places.calendar import load_calendars, zone_of
from places.models import Office
from places.vocabulary import zone_label

MORNING_END = time(10, 30)
EARLIEST = time(7, 0)
DOOR_CAMERA_NAME = "Pintu depan"
DOOR_CAMERA_EVERY = 4
HISTORY_DAYS = 42  # six weeks: the week, month, rankings and trend pages have something to say


class Command(BaseCommand):
    help = (
        "Demo: replay a realistic morning for every active office from real camera frames "
        "(today if it is a working day and past 07:00, else the last working day)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=Path(settings.VAR_DIR) / "demo")
        parser.add_argument("--force", action="store_true", help="replay again even if done")

    def handle(self, *args: object, out: Path, force: bool, **options: object) -> None:
        offices = list(
            Office.objects.filter(active=True)
            .select_related("kecamatan__local_government")
            .order_by("code")
        )
        if not offices:
            self.stderr.write("No offices: run `python manage.py seed_kendari` first.")
            return
        now = timezone.localtime()
        day, until = now.date(), min(now.time(), MORNING_END)
        if now.time() < EARLIEST:
            day, until = day - timedelta(days=1), MORNING_END
        calendars = load_calendars(offices[:1], day - timedelta(days=14), day)
        while not calendars.office_day(offices[0], day).is_working:
            day, until = day - timedelta(days=1), MORNING_END
        # A demo database from before the cameras had real names: rename them once.
        Camera.objects.filter(office__in=offices, name=replay.REPLAY_CAMERA_NAME).exclude(
            office__cameras__name=OFFICE_CAMERA_NAME
        ).update(name=OFFICE_CAMERA_NAME)
        history = seed_history(offices, day, HISTORY_DAYS)
        if history:
            self.stdout.write(f"History: {history} verdicts of the {HISTORY_DAYS} days before.")
        replayed = DailyVerdict.objects.filter(
            date=day, office__cameras__name=OFFICE_CAMERA_NAME
        ).count()
        if replayed >= len(offices) and not force:
            add_door_cameras(offices)
            self.stdout.write(f"The demo morning of {day:%Y-%m-%d} is already there (--force).")
            return
        self.stdout.write(f"Replaying the morning of {day:%Y-%m-%d} for {len(offices)} offices…")
        scenario_path = build_demo_scenario([office.code for office in offices], out)
        started = datetime.now(tz=timezone.get_current_timezone())
        verdicts = replay.replay_day(
            day, replay.load_scenario(scenario_path), until, camera_name=OFFICE_CAMERA_NAME
        )
        seconds = (datetime.now(tz=timezone.get_current_timezone()) - started).total_seconds()
        add_door_cameras(offices)
        counts = Counter(v.status if v else "awaiting" for v in verdicts)
        summary = ", ".join(f"{status}={n}" for status, n in sorted(counts.items()))
        zone = zone_label(settings.TIME_ZONE)
        self.stdout.write(
            f"Replayed {day:%Y-%m-%d} until {until:%H:%M} {zone} for {len(offices)} offices "
            f"in {seconds:.0f} s: {summary}"
        )


def seed_history(offices: list[Office], before: date, days: int) -> int:
    """Final verdicts for the offices' working days among the `days` before `before` (the
    demo's past weeks); days that already have a verdict keep it. Returns how many were made."""
    first = before - timedelta(days=days)
    calendars = load_calendars(offices, first, before - timedelta(days=1))
    rows = []
    for index, office in enumerate(offices):
        zone = zone_of(office)
        for number in range(days):
            day = first + timedelta(days=number)
            office_day = calendars.office_day(office, day)
            if not office_day.is_working or office_day.hours is None:
                continue
            past = history_for(index, (day - date(2026, 1, 1)).days)
            rows.append(
                DailyVerdict(
                    office=office,
                    date=day,
                    status=past.status,
                    is_final=True,
                    scheduled_open=datetime.combine(day, office_day.hours.open, tzinfo=zone),
                    opened_at=(
                        datetime.combine(day, past.opened, tzinfo=zone) if past.opened else None
                    ),
                    minutes_late=past.minutes_late,
                    coverage=1.0 if past.status != "no_data" else 0.2,
                )
            )
    before_count = DailyVerdict.objects.filter(date__range=(first, before)).count()
    DailyVerdict.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return DailyVerdict.objects.filter(date__range=(first, before)).count() - before_count


def add_door_cameras(offices: list[Office], every: int = DOOR_CAMERA_EVERY) -> int:
    """A second camera, at the front door, for every `every`-th office, added after the replay
    (the replayed morning stays one camera's work); it shows the same looping day as the
    office's service-room camera. Returns how many offices have one."""
    count = 0
    for office in offices[::every]:
        room = office.cameras.filter(name=OFFICE_CAMERA_NAME).first()
        if room is None:
            continue
        Camera.objects.update_or_create(
            office=office,
            name=DOOR_CAMERA_NAME,
            defaults={
                "kind": room.kind,
                "local_government_id": room.local_government_id,
                "kecamatan_id": room.kecamatan_id,
                "source_url": room.source_url,
                "enabled": True,
                "burst_frames": 1,
                "burst_interval_seconds": 0,
            },
        )
        count += 1
    return count
