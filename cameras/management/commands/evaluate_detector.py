from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cameras.vision import available_detectors, get_detector
from cameras.vision.evaluate import SEQUENCE_BURST, evaluate_labelled_dir, evaluate_sequences


class Command(BaseCommand):
    help = (
        "Score a people detector on a labelled folder (DIR/labels.csv: file,people,...): one line "
        "per image, then the summary as the last line. With --sequences DIR, DIR holds one "
        "folder per fixed camera (frames in time order); each frame is a check of that camera "
        f"whose burst is the frame and the {SEQUENCE_BURST - 1} frames after it, with the "
        "camera's learned empty scene carried from earlier frames of the same folder only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, nargs="?")
        parser.add_argument(
            "--sequences", type=Path, default=None, help="folder of fixed-camera sequences"
        )
        parser.add_argument(
            "--detector", default="", help=f"one of {', '.join(available_detectors())}"
        )
        parser.add_argument(
            "--noise",
            type=float,
            default=0.0,
            help="sensor noise sigma (grey levels) plus a JPEG q90 round trip, fixed seed per file",
        )

    def handle(
        self,
        *args: object,
        directory: Path | None,
        sequences: Path | None,
        detector: str,
        noise: float,
        **options: object,
    ) -> None:
        if (directory is None) == (sequences is None):
            raise CommandError("give either DIR or --sequences DIR")
        if noise < 0:
            raise CommandError("--noise must be >= 0")
        try:
            people_detector = get_detector(detector or None)
            if sequences is not None:
                if not sequences.is_dir():
                    raise CommandError(f"{sequences} is not a directory")
                report = evaluate_sequences(sequences, people_detector, noise=noise)
            else:
                assert directory is not None  # noqa: S101 - checked above
                if not (directory / "labels.csv").is_file():
                    raise CommandError(f"{directory}/labels.csv not found")
                report = evaluate_labelled_dir(directory, people_detector, noise=noise)
        except (KeyError, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for result in report.results:
            self.stdout.write(result.format_line())
        self.stdout.write(f"detector={people_detector.name} version={people_detector.version}")
        self.stdout.write(report.format_summary())
