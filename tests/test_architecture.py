"""Import rules from STYLE.md: pure layers never reach for Django, OpenCV or mediapipe."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "compliance/domain": {"django", "cv2", "mediapipe", "celery"},
    "cameras/sources": {"django", "celery"},
    "cameras/vision": {"django", "celery"},
    "cameras/domain": {"django", "cv2", "mediapipe", "celery"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_pure_packages_import_no_framework(package):
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    for path in files:
        bad = imported_roots(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"
