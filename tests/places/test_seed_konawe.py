"""`seed_konawe` loads Kabupaten Konawe from the reference data, once, beside Kota Kendari."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from places.models import (
    Holiday,
    Kecamatan,
    LocalGovernment,
    Office,
    OpeningHours,
    SpecialPeriod,
    SpecialPeriodHours,
)

pytestmark = pytest.mark.django_db
UP_TO_DATE = "Kabupaten Konawe is already up to date."


def seed_konawe() -> str:
    out = io.StringIO()
    call_command("seed_konawe", stdout=out)
    return out.getvalue()


def reference_rows(shared_dir) -> list[dict[str, str]]:
    with (shared_dir / "reference" / "konawe_kecamatan.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def snapshot() -> dict[str, list[dict]]:
    """Every field of every row the seed may touch, in a stable order."""
    models = [
        LocalGovernment,
        Kecamatan,
        Office,
        OpeningHours,
        SpecialPeriod,
        SpecialPeriodHours,
        Holiday,
    ]
    return {
        model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
        for model in models
    }


def test_seed_loads_the_28_kecamatan_of_the_reference_row_by_row(db, shared_dir):
    output = seed_konawe()

    konawe = LocalGovernment.objects.get(code="74.02")
    assert konawe.name == "Konawe"
    assert konawe.kind == "kabupaten"
    assert konawe.time_zone == "Asia/Makassar"
    reference = reference_rows(shared_dir)
    assert len(reference) == 28
    stored = list(Kecamatan.objects.filter(local_government=konawe).order_by("code"))
    assert len(stored) == 28
    by_code = sorted(reference, key=lambda row: row["kode_wilayah"])
    for kecamatan, row in zip(stored, by_code, strict=True):
        assert kecamatan.code == row["kode_wilayah"]
        assert kecamatan.code.startswith("74.02.")
        assert len(kecamatan.code) == len("74.02.01")
        assert kecamatan.name == row["kecamatan"]
        assert kecamatan.latitude == Decimal(row["latitude"]), kecamatan.name
        assert kecamatan.longitude == Decimal(row["longitude"]), kecamatan.name
    assert stored[0].code == "74.02.01"
    assert Kecamatan.objects.get(code="74.02.02").name == "Unaaha"
    # Default ASN hours for the whole kabupaten: Monday to Friday, none at the weekend.
    hours = {
        row.weekday: (row.opens_at.strftime("%H:%M"), row.closes_at.strftime("%H:%M"))
        for row in OpeningHours.objects.filter(local_government=konawe, office=None)
    }
    assert hours == {
        0: ("07:30", "16:00"),
        1: ("07:30", "16:00"),
        2: ("07:30", "16:00"),
        3: ("07:30", "16:00"),
        4: ("07:30", "16:30"),
    }
    assert "Kecamatan=28" in output
    assert UP_TO_DATE not in output


def test_second_run_says_up_to_date_and_changes_nothing(db):
    seed_konawe()
    before = snapshot()

    output = seed_konawe()

    assert UP_TO_DATE in output
    assert "created: nothing" in output
    assert "updated: nothing" in output
    assert snapshot() == before
    assert LocalGovernment.objects.filter(code="74.02").count() == 1
    assert Kecamatan.objects.filter(code__startswith="74.02.").count() == 28


def test_seed_repairs_a_changed_centroid(db, shared_dir):
    seed_konawe()
    Kecamatan.objects.filter(code="74.02.02").update(latitude=Decimal("0"), name="Salah")

    output = seed_konawe()

    assert UP_TO_DATE not in output
    unaaha = Kecamatan.objects.get(code="74.02.02")
    reference = {row["kode_wilayah"]: row for row in reference_rows(shared_dir)}["74.02.02"]
    assert unaaha.name == reference["kecamatan"]
    assert unaaha.latitude == Decimal(reference["latitude"])


def test_kendari_is_untouched_when_both_are_seeded(kendari):
    kendari_rows = {
        "government": model_to_dict(kendari),
        "kecamatan": [model_to_dict(k) for k in kendari.kecamatan.order_by("pk")],
        "offices": [
            model_to_dict(o)
            for o in Office.objects.filter(kecamatan__local_government=kendari).order_by("pk")
        ],
        "hours": [
            model_to_dict(h)
            for h in OpeningHours.objects.filter(local_government=kendari).order_by("pk")
        ],
    }
    assert len(kendari_rows["kecamatan"]) == 11
    assert len(kendari_rows["offices"]) == 65

    seed_konawe()
    seed_konawe()

    kendari.refresh_from_db()
    assert model_to_dict(kendari) == kendari_rows["government"]
    assert [model_to_dict(k) for k in kendari.kecamatan.order_by("pk")] == kendari_rows["kecamatan"]
    assert [
        model_to_dict(o)
        for o in Office.objects.filter(kecamatan__local_government=kendari).order_by("pk")
    ] == kendari_rows["offices"]
    assert [
        model_to_dict(h)
        for h in OpeningHours.objects.filter(local_government=kendari).order_by("pk")
    ] == kendari_rows["hours"]
    konawe = LocalGovernment.objects.get(code="74.02")
    assert not Kecamatan.objects.filter(local_government=konawe, code__startswith="74.71").exists()
    assert not Office.objects.filter(kecamatan__local_government=konawe).exists()
    assert LocalGovernment.objects.count() == 2
