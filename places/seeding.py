"""Loading reference data: a local government's kecamatan, offices, hours and holidays.

Every function is idempotent: it upserts by natural key and reports what it changed, so running a
seed twice changes nothing the second time.
"""

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import holidays as holiday_calendars
from django.db import transaction
from django.db.models import Model

from places.models import (
    Holiday,
    Kecamatan,
    LocalGovernment,
    Office,
    OpeningHours,
    SpecialPeriod,
    SpecialPeriodHours,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class SeedReport:
    """How many rows of each model were created and updated."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def count(self, model: type[Model], created: bool, changed: bool) -> None:
        if created:
            self.created[model.__name__] += 1
        elif changed:
            self.updated[model.__name__] += 1

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


def _upsert(
    report: SeedReport, model: type[Model], lookup: dict[str, Any], values: dict[str, Any]
) -> Any:
    """get_or_create by natural key, then save only the fields that differ."""
    obj, created = model._default_manager.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed and not created:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    report.count(model, created, bool(changed))
    return obj


def _decimal(text: str) -> Decimal | None:
    return Decimal(text).quantize(Decimal("0.000001")) if text else None


def _hhmm(text: str) -> time:
    return time.fromisoformat(text)


@transaction.atomic
def seed_local_government(seed_file: Path, report: SeedReport | None = None) -> SeedReport:
    """Load a government JSON seed (see places/data/kota_kendari.json) and its CSVs."""
    report = report or SeedReport()
    spec = json.loads(seed_file.read_text(encoding="utf-8"))
    government = _upsert(
        report,
        LocalGovernment,
        {"code": spec["code"]},
        {"name": spec["name"], "kind": spec["kind"], "time_zone": spec["time_zone"]},
    )

    kecamatan_by_name: dict[str, Kecamatan] = {}
    with (seed_file.parent / spec["kecamatan_file"]).open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            kecamatan_by_name[row["kecamatan"]] = _upsert(
                report,
                Kecamatan,
                {"code": row["kode_wilayah"]},
                {
                    "local_government": government,
                    "name": row["kecamatan"],
                    "latitude": _decimal(row["latitude"]),
                    "longitude": _decimal(row["longitude"]),
                },
            )

    if kelurahan_file := spec.get("kelurahan_file"):
        with (seed_file.parent / kelurahan_file).open(encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                alternative = row.get("nama_bps", "")
                _upsert(
                    report,
                    Office,
                    {"code": row["kode_wilayah"]},
                    {
                        "name": row["kelurahan"],
                        "alternative_name": "" if alternative == row["kelurahan"] else alternative,
                        "kecamatan": kecamatan_by_name[row["kecamatan"]],
                        "latitude": _decimal(row["latitude"]),
                        "longitude": _decimal(row["longitude"]),
                    },
                )

    hours = spec["default_hours"]
    for weekday, (opens, closes) in hours["weekdays"].items():
        _upsert(
            report,
            OpeningHours,
            {"local_government": government, "office": None, "weekday": int(weekday)},
            {
                "opens_at": _hhmm(opens),
                "closes_at": _hhmm(closes),
                "grace_minutes": hours["grace_minutes"],
                "min_staff": hours["min_staff"],
            },
        )

    for period in spec.get("special_periods", []):
        special = _upsert(
            report,
            SpecialPeriod,
            {
                "local_government": government,
                "kind": period["kind"],
                "date_from": date.fromisoformat(period["date_from"]),
            },
            {
                "name": period["name"],
                "date_to": date.fromisoformat(period["date_to"]),
                "source": period.get("source", ""),
            },
        )
        for weekday, (opens, closes) in period.get("weekdays", {}).items():
            _upsert(
                report,
                SpecialPeriodHours,
                {"period": special, "weekday": int(weekday)},
                {"opens_at": _hhmm(opens), "closes_at": _hhmm(closes)},
            )
    return report


def indonesian_holidays(year: int) -> list[tuple[date, str, str]]:
    """National holidays and cuti bersama for a year: (date, Indonesian name, kind).

    ASN observe cuti bersama, which the `holidays` package files under its "government" category.
    """
    public = holiday_calendars.country_holidays("ID", years=year, language="id")
    government = holiday_calendars.country_holidays(
        "ID", years=year, categories=("government",), language="id"
    )
    days: list[tuple[date, str, str]] = [
        (day, name, Holiday.Kind.NATIONAL) for day, name in public.items()
    ]
    days += [(day, name, Holiday.Kind.CUTI_BERSAMA) for day, name in government.items()]
    return sorted(days)


@transaction.atomic
def sync_national_holidays(years: list[int], report: SeedReport | None = None) -> SeedReport:
    """Upsert national holidays and cuti bersama; rows edited by staff keep their name."""
    report = report or SeedReport()
    for year in years:
        for day, name, kind in indonesian_holidays(year):
            _, created = Holiday.objects.get_or_create(
                date=day, local_government=None, defaults={"name": name, "kind": kind}
            )
            report.count(Holiday, created, changed=False)
    return report


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def synthetic_kecamatan_code(government_code: str, number: int) -> str:
    """A code that fits the 8-character kecamatan field ("99.98.a7") for benchmark data:
    two base-36 digits, so up to 1,296 kecamatan per synthetic government."""
    if not 0 <= number < 36 * 36:
        raise ValueError("at most 1296 synthetic kecamatan")
    return f"{government_code}.{_BASE36[number // 36]}{_BASE36[number % 36]}"
