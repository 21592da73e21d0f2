from pathlib import Path

from places.seed_command import SeedCommand


class Command(SeedCommand):
    help = (
        "Load Kota Kendari: 11 kecamatan, 65 kelurahan offices, default hours, Ramadan hours "
        "and the national holidays and cuti bersama. Safe to run again: it changes nothing."
    )
    seed_file = Path("kota_kendari.json")
    government_label = "Kota Kendari"
