"""The compliance domain stays pure: no framework, vision or IO imports (STYLE 3.1, 3.7)."""

import ast
from pathlib import Path

import pytest

import compliance.domain

DOMAIN_DIR = Path(compliance.domain.__file__).parent
FORBIDDEN = {"django", "rest_framework", "celery", "cv2", "mediapipe", "requests", "socket"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(DOMAIN_DIR.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_no_framework_or_vision(path: Path) -> None:
    assert imported_roots(path) & FORBIDDEN == set()
