from django.core.management.base import BaseCommand, CommandParser

from compliance.seeding import DATA_DIR, SeedReport, seed_local_government, sync_national_holidays


class Command(BaseCommand):
    help = (
        "Load Kabupaten Konawe: its 28 kecamatan (Kemendagri codes and centroids), default ASN "
        "hours, Ramadan hours and the national holidays. Safe to run again: it changes nothing."
    )

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
        seed_local_government(DATA_DIR / "kabupaten_konawe.json", report)
        sync_national_holidays(holiday_years, report)
        for label, counts in (("created", report.created), ("updated", report.updated)):
            summary = ", ".join(f"{name}={n}" for name, n in sorted(counts.items())) or "nothing"
            self.stdout.write(f"{label}: {summary}")
        if not report.changed_anything:
            self.stdout.write("Kabupaten Konawe is already up to date.")
