"""Which monthly partitions the observations table needs (pure date arithmetic).

On PostgreSQL observations are range-partitioned by office day, a month each (migration
cameras 0014); `cameras.partitioning` creates the months this module names.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True, order=True)
class Month:
    """The office days [first, end) of one calendar month."""

    first: date

    @property
    def end(self) -> date:
        return next_month(self.first)

    @property
    def suffix(self) -> str:
        """The partition's name suffix, e.g. `2026_12`."""
        return f"{self.first:%Y_%m}"


def month_of(day: date) -> Month:
    return Month(day.replace(day=1))


def next_month(first: date) -> date:
    """The first day of the month after the one `first` is in."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def months_ahead(today: date, ahead: int) -> list[Month]:
    """The month of `today` and the `ahead` months after it, oldest first: the partitions that
    must exist so that no insert of the coming months falls into the default partition."""
    months = [month_of(today)]
    for _ in range(max(0, ahead)):
        months.append(Month(months[-1].end))
    return months


def office_days_around(start: datetime, end: datetime) -> tuple[date, date]:
    """The office days a slot in [start, end] can have, whatever the deployment's zone: a
    local date is at most one day from the UTC date (offsets lie within ±14 h). A query over a
    slot range adds `office_date BETWEEN` these so PostgreSQL reads one or two partitions."""
    return (
        start.astimezone(UTC).date() - timedelta(days=1),
        end.astimezone(UTC).date() + timedelta(days=1),
    )
