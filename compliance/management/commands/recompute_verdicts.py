from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.services import recompute_verdicts
from places.models import Office


class Command(BaseCommand):
    help = (
        "Recompute the daily verdicts of a date range (after a detector upgrade or a new "
        "excuse). Running it twice gives the same answer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="last", required=True, type=date.fromisoformat)
        parser.add_argument("--office", action="append", default=[], help="office code (repeat)")

    def handle(
        self, *args: object, first: date, last: date, office: list[str], **o: object
    ) -> None:
        if last < first:
            raise CommandError("--to is before --from")
        if unknown := set(office) - set(
            Office.objects.filter(code__in=office).values_list("code", flat=True)
        ):
            raise CommandError(f"unknown office code(s): {', '.join(sorted(unknown))}")
        rows = recompute_verdicts(first, last, office)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        summary = ", ".join(f"{status}={n}" for status, n in sorted(counts.items()))
        self.stdout.write(f"recomputed {len(rows)} verdicts from {first} to {last}: {summary}")
