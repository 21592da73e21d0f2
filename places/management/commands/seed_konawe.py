from pathlib import Path

from places.seed_command import SeedCommand


class Command(SeedCommand):
    help = (
        "Load Kabupaten Konawe: its 28 kecamatan (Kemendagri codes and centroids), default ASN "
        "hours, Ramadan hours and the national holidays. Safe to run again: it changes nothing."
    )
    seed_file = Path("kabupaten_konawe.json")
    government_label = "Kabupaten Konawe"
