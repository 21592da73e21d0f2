from pathlib import Path
from typing import cast

import cv2
import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from numpy.typing import NDArray

from cameras.vision import get_detector
from cameras.vision.privacy import annotate


class Command(BaseCommand):
    help = (
        "Count people in images and print their boxes. --annotate DIR writes copies with faces "
        "and heads blurred and boxes drawn (never an unblurred copy)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("images", nargs="+", type=Path)
        parser.add_argument("--annotate", type=Path, help="folder for blurred, boxed copies")
        parser.add_argument("--detector", default="")

    def handle(self, *args: object, images: list[Path], annotate: Path | None, **o: object) -> None:
        detector = get_detector(str(o["detector"]) or None)
        if annotate is not None:
            annotate.mkdir(parents=True, exist_ok=True)
        failed = 0
        for path in images:
            # IMREAD_COLOR always decodes to 8-bit BGR.
            frame = cast(NDArray[np.uint8] | None, cv2.imread(str(path), cv2.IMREAD_COLOR))
            if frame is None:
                self.stderr.write(f"{path}: not a readable image")
                failed += 1
                continue
            detection = detector.detect(frame)
            self.stdout.write(f"{path}: people={detection.count}")
            for person in detection.people:
                self.stdout.write(
                    f"  x={person.x} y={person.y} w={person.w} h={person.h} "
                    f"score={person.score:.2f} source={person.source}"
                )
            if annotate is not None:
                target = annotate / f"{path.stem}.annotated.jpg"
                cv2.imwrite(str(target), annotate_frame(frame, detection))
        if failed == len(images):
            raise CommandError("no image could be read")


annotate_frame = annotate
