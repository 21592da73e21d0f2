import csv
from datetime import date, time

import pytest
from django.core.management import call_command

from places.models import Holiday, Kecamatan, Office, OpeningHours, SpecialPeriod
from places.seeding import DATA_DIR, seed_local_government, sync_national_holidays

pytestmark = pytest.mark.django_db


def test_seed_loads_kendari_eleven_kecamatan_and_65_offices(kendari):
    assert Kecamatan.objects.filter(local_government=kendari).count() == 11
    assert Office.objects.filter(kecamatan__local_government=kendari).count() == 65
    mandonga = Office.objects.get(code="74.71.01.1005")
    assert (mandonga.name, mandonga.kecamatan.name) == ("Mandonga", "Mandonga")
    assert kendari.time_zone == "Asia/Makassar"


def test_seeded_offices_match_the_reference_list(kendari, shared_dir):
    with (shared_dir / "reference" / "kendari_kelurahan.csv").open() as rows:
        reference = {row["kode_wilayah"]: row["kelurahan"] for row in csv.DictReader(rows)}
    seeded = dict(Office.objects.values_list("code", "name"))
    assert seeded == reference


def test_seeding_twice_changes_nothing(kendari):
    before = list(Office.objects.order_by("code").values())
    report = seed_local_government(DATA_DIR / "kota_kendari.json")
    report = sync_national_holidays([2026], report)
    assert not report.changed_anything
    assert list(Office.objects.order_by("code").values()) == before


def test_seed_command_reports_nothing_to_do_on_second_run(capsys):
    call_command("seed_kendari", "--holiday-years", "2026")
    capsys.readouterr()
    call_command("seed_kendari", "--holiday-years", "2026")
    assert "already up to date" in capsys.readouterr().out


def test_default_hours_follow_perpres_21_2023(kendari):
    defaults = {
        row.weekday: row
        for row in OpeningHours.objects.filter(local_government=kendari, office=None)
    }
    assert sorted(defaults) == [0, 1, 2, 3, 4]
    assert (defaults[0].opens_at, defaults[0].closes_at) == (time(7, 30), time(16, 0))
    assert (defaults[4].opens_at, defaults[4].closes_at) == (time(7, 30), time(16, 30))
    assert {row.grace_minutes for row in defaults.values()} == {15}


def test_ramadan_2026_hours_are_seeded(kendari):
    ramadan = SpecialPeriod.objects.get(kind=SpecialPeriod.Kind.RAMADAN_HOURS)
    assert ramadan.date_from == date(2026, 2, 19)
    friday = ramadan.hours.get(weekday=4)
    assert (friday.opens_at, friday.closes_at) == (time(8, 0), time(15, 30))


def test_holidays_and_cuti_bersama_match_the_2026_skb(kendari, shared_dir):
    with (shared_dir / "reference" / "holidays_2026.csv").open() as rows:
        reference = {date.fromisoformat(row["date"]): row["kind"] for row in csv.DictReader(rows)}
    seeded = dict(
        Holiday.objects.filter(date__year=2026, local_government=None).values_list("date", "kind")
    )
    assert seeded == reference
