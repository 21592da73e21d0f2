from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devtools.demo_cameras import create_demo_public_cameras
from places.models import LocalGovernment


class Command(BaseCommand):
    help = "Demo: Konawe public-area cameras (on the public page and the wall) and one incident."

    def handle(self, *args: object, **options: object) -> None:
        if not LocalGovernment.objects.filter(code="74.02").exists():
            raise CommandError("Kabupaten Konawe is missing: run `python manage.py seed_konawe`.")
        frames_root = Path(settings.VAR_DIR) / "demo-public"
        count = create_demo_public_cameras(timezone.now(), frames_root)
        self.stdout.write(f"{count} demo cameras in Kabupaten Konawe; public page: /publik/74.02/")
