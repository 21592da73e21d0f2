from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cameras.vision import available_detectors, get_detector
from cameras.vision.evaluate import evaluate_labelled_dir


class Command(BaseCommand):
    help = (
        "Score a people detector on a labelled folder (DIR/labels.csv: file,people,...): one line "
        "per image, then the summary as the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--detector", default="", help=f"one of {', '.join(available_detectors())}"
        )

    def handle(self, *args: object, directory: Path, detector: str, **options: object) -> None:
        if not (directory / "labels.csv").is_file():
            raise CommandError(f"{directory}/labels.csv not found")
        try:
            people_detector = get_detector(detector or None)
            report = evaluate_labelled_dir(directory, people_detector)
        except (KeyError, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for result in report.results:
            self.stdout.write(result.format_line())
        self.stdout.write(f"detector={people_detector.name} version={people_detector.version}")
        self.stdout.write(report.format_summary())
