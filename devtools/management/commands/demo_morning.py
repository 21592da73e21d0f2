from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from compliance.models import DailyVerdict
from devtools import replay
from devtools.demo import build_demo_scenario
from places.calendar import load_calendars
from places.models import Office
from places.vocabulary import zone_label

MORNING_END = time(10, 30)
EARLIEST = time(7, 0)


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
        replayed = DailyVerdict.objects.filter(
            date=day, office__cameras__name=replay.REPLAY_CAMERA_NAME
        ).count()
        if replayed >= len(offices) and not force:
            self.stdout.write(f"The demo morning of {day:%Y-%m-%d} is already there (--force).")
            return
        self.stdout.write(f"Replaying the morning of {day:%Y-%m-%d} for {len(offices)} offices…")
        scenario_path = build_demo_scenario([office.code for office in offices], out)
        started = datetime.now(tz=timezone.get_current_timezone())
        verdicts = replay.replay_day(day, replay.load_scenario(scenario_path), until)
        seconds = (datetime.now(tz=timezone.get_current_timezone()) - started).total_seconds()
        counts = Counter(v.status if v else "awaiting" for v in verdicts)
        summary = ", ".join(f"{status}={n}" for status, n in sorted(counts.items()))
        zone = zone_label(settings.TIME_ZONE)
        self.stdout.write(
            f"Replayed {day:%Y-%m-%d} until {until:%H:%M} {zone} for {len(offices)} offices "
            f"in {seconds:.0f} s: {summary}"
        )
