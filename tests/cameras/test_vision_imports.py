"""cameras.vision is importable without Django and loads no model until asked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import cameras.vision
import cameras.vision.evaluate, cameras.vision.health, cameras.vision.privacy
import cameras.vision.zones
from cameras.vision.detector import loaded_detectors
assert "django" not in sys.modules, "django imported"
assert "mediapipe" not in sys.modules, "mediapipe imported at import time"
assert loaded_detectors() == ()
detector = cameras.vision.get_detector()
assert not detector.is_loaded, "models loaded before the first detect()"
assert cameras.vision.get_detector() is detector
assert "django" not in sys.modules
print("ok")
"""


def test_importing_vision_loads_no_model_and_no_django():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


def test_unknown_detector_name_is_an_error():
    import pytest

    from cameras.vision import available_detectors, get_detector

    assert available_detectors()[0] == "mp-crowd"
    assert set(available_detectors()) == {"mp-fusion", "mp-fast", "mp-crowd", "hog"}
    with pytest.raises(KeyError, match="unknown people detector"):
        get_detector("yolo")
