import json
import logging
import sys
from datetime import date, time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

from devtools import replay
from places.models import Office


class Command(BaseCommand):
    help = (
        "Replay a recorded day: run the day's planned checks for the scenario's offices through "
        "the real tick and check tasks with a simulated clock, then print each office's verdict."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--scenario", required=True, type=Path, help="scenario JSON file")
        parser.add_argument("--json", action="store_true", help="print only a JSON list")
        parser.add_argument(
            "--until",
            type=time.fromisoformat,
            help="stop the day at this local time (HH:MM); verdicts stay provisional",
        )
        parser.add_argument(
            "--no-noise",
            action="store_true",
            help="replay the recorded pixels exactly (default: fresh sensor noise on every frame)",
        )

    def handle(self, *args: object, **options: object) -> None:
        as_json = bool(options["json"])
        if as_json:
            # stdout carries only the JSON list; every log line goes to stderr.
            logging.getLogger().handlers = [logging.StreamHandler(sys.stderr)]
        try:
            scenario = replay.load_scenario(options["scenario"])  # type: ignore[arg-type]
        except replay.ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", verbosity=0, interactive=False, stdout=sys.stderr)
        if not Office.objects.filter(code__in=[entry.code for entry in scenario]).exists():
            call_command("seed_kendari", stdout=sys.stderr)
        noise = 0.0 if options["no_noise"] else settings.REPLAY_SENSOR_NOISE
        try:
            with override_settings(REPLAY_SENSOR_NOISE=noise):
                verdicts = replay.replay_day(options["date"], scenario, options["until"])  # type: ignore[arg-type]
        except replay.ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        offices = {o.code: o for o in Office.objects.filter(code__in=[e.code for e in scenario])}
        rows = [
            replay.verdict_summary(offices[entry.code], verdict)
            for entry, verdict in zip(scenario, verdicts, strict=True)
        ]
        if as_json:
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            name = offices[row["office"]].name
            late = "-" if row["minutes_late"] is None else row["minutes_late"]
            self.stdout.write(
                f"{row['office']}  {name:<20} {row['status'] or 'awaiting':<15} "
                f"opened={row['opened_at'] or '-':<5}  late={late!s:<4} "
                f"coverage={row['coverage'] * 100:.0f}%"
            )
