"""The shared shape of the seed commands: load one government's seed file and the holidays."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from places.seeding import DATA_DIR, SeedReport, seed_local_government, sync_national_holidays


class SeedCommand(BaseCommand):
    seed_file: Path
    government_label: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--holiday-years",
            nargs="+",
            type=int,
            default=[2026, 2027],
            help="Years whose holidays and cuti bersama are loaded (default: 2026 2027).",
        )

    def handle(self, *args: object, holiday_years: list[int], **options: object) -> None:
        report = SeedReport()
        seed_local_government(DATA_DIR / self.seed_file, report)
        sync_national_holidays(holiday_years, report)
        for label, counts in (("created", report.created), ("updated", report.updated)):
            summary = ", ".join(f"{name}={n}" for name, n in sorted(counts.items())) or "nothing"
            self.stdout.write(f"{label}: {summary}")
        if not report.changed_anything:
            self.stdout.write(f"{self.government_label} is already up to date.")
