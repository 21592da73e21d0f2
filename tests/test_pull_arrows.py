"""The arrows the pull-based tick relies on, checked on every import (also inside functions).

- Work to do later is a row or is enqueued by an interface: no service, selector, alert or
  stills module imports a tasks module.
- Cameras record facts and never import compliance (who and where is the base app's).
- The production apps import nothing of the developer tools.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APPS = (
    "kelurahan_monitor",
    "compliance",
    "agents",
    "cameras",
    "reports",
    "complaints",
    "incidents",
)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules_of(*apps: str) -> list[Path]:
    return [
        path
        for app in apps
        for path in sorted((REPO / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def is_tasks_module(name: str) -> bool:
    return name.endswith(".tasks") or ".tasks." in name


NOT_INTERFACES = ("services.py", "selectors.py", "alerts.py", "stills.py")


@pytest.mark.parametrize(
    "path",
    [p for p in modules_of(*APPS) if p.name in NOT_INTERFACES],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_no_service_selector_or_alert_module_imports_a_tasks_module(path):
    assert not {name for name in imported_modules(path) if is_tasks_module(name)}


@pytest.mark.parametrize("path", modules_of("cameras"), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_of_cameras_imports_compliance(path):
    assert not {name for name in imported_modules(path) if name.split(".")[0] == "compliance"}


@pytest.mark.parametrize("path", modules_of(*APPS), ids=lambda p: str(p.relative_to(REPO)))
def test_production_code_imports_no_developer_tool(path):
    assert not {name for name in imported_modules(path) if name.split(".")[0] == "devtools"}
