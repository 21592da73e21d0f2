"""The allowed arrows between apps and layers (STYLE.md 3.1a), checked on every import.

    interfaces   views · urls · api · admin · forms · commands · tasks   (nothing imports them)
    reports ─► complaints ─► compliance ─► agents ─► cameras ─► places ─► pure layers
                             incidents  ─► cameras
    devtools     bench, demo and replay tools: may import anything; nothing imports them

- Pure layers (the domain packages, vision, sources, report rows, the vocabulary) import no
  framework and no module of an app outside the pure layers.
- Core modules (models, services, selectors, ...) import only their own app, the apps below
  theirs, the project's shared helpers and pure layers; never an interface (so never a tasks
  module).
- Interfaces may import the core of any app (they sit above all of them), their own app's
  interfaces and the project's shared helpers; URL modules may also import views.
- No module imports another app's private (``_name``) names.
Every import counts: at module level and inside functions.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APPS = (
    "places",
    "cameras",
    "agents",
    "incidents",
    "compliance",
    "complaints",
    "reports",
    "kelurahan_monitor",
    "devtools",
)
# Each app and the apps its core may import (the arrows point down only).
BELOW = {
    "places": set(),
    "cameras": {"places"},
    "agents": {"cameras", "places"},
    "incidents": {"cameras", "places"},
    "compliance": {"agents", "cameras", "places"},
    "complaints": {"compliance", "agents", "cameras", "places"},
    "reports": {"complaints", "compliance", "agents", "cameras", "places"},
    "kelurahan_monitor": {"places"},  # its shared helpers; see PROJECT_INTERFACES
    "devtools": set(APPS),
}
PURE = (
    "compliance.domain",
    "cameras.domain",
    "cameras.vision",
    "cameras.sources",
    "cameras.checking",
    "agents.domain",
    "complaints.domain",
    "reports.rows",
    "places.vocabulary",
)
INTERFACE_NAMES = {
    "views",
    "public_views",
    "auth_views",
    "urls",
    "public_urls",
    "open311_urls",
    "open311",
    "admin",
    "forms",
    "tasks",
    "apps",
    "context_processors",
    "celery",
    "settings",
    "wsgi",
    "asgi",
}
INTERFACE_PACKAGES = {"api", "management", "templatetags"}
# The project's shared helpers every app may use (they import only places and pure layers).
PROJECT_SHARED = (
    "kelurahan_monitor.roles",
    "kelurahan_monitor.admin_scoping",
    "kelurahan_monitor.errors",
    "kelurahan_monitor.files",
    "kelurahan_monitor.log_redaction",
    "kelurahan_monitor.middleware",
    "kelurahan_monitor.queueing",
    "kelurahan_monitor.secrets_field",
    "kelurahan_monitor.webhooks",
    "kelurahan_monitor.api.errors",
    "kelurahan_monitor.api.permissions",
    "kelurahan_monitor.api.throttling",
    "kelurahan_monitor.api.scoping",
    "kelurahan_monitor.celery",  # the Celery app object (kelurahan_monitor/__init__ exports it)
)
FRAMEWORKS = {"django", "rest_framework", "celery", "cv2", "mediapipe"}
PURE_MAY_USE = {
    "cameras.sources": {"cv2"},  # decoding frames
    "cameras.vision": {"cv2", "mediapipe"},
}
# Arrows that break the rules today, each with the reason it is still there. Empty it, never
# grow it.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(path): path
    for app in APPS
    for path in sorted((REPO / app).rglob("*.py"))
    if "migrations" not in path.parts
}


def is_pure(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PURE)


def is_shared(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PROJECT_SHARED) or name in (
        "kelurahan_monitor",
        "kelurahan_monitor.api",
    )


def is_interface(name: str) -> bool:
    parts = name.split(".")
    if parts[0] == "devtools":
        return True
    if parts[0] == "kelurahan_monitor" and not is_shared(name):
        return True
    return parts[-1] in INTERFACE_NAMES or bool(set(parts[1:-1] + parts[1:]) & INTERFACE_PACKAGES)


def imports_of(path: Path) -> list[tuple[str, set[str]]]:
    """(module, names taken from it) for every import, module level or inside functions."""
    found: list[tuple[str, set[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from compliance import domain` imports the module compliance.domain.
            submodules = [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if f"{node.module}.{alias.name}" in MODULES
            ]
            found += [(name, set()) for name in submodules]
            if len(submodules) < len(node.names):
                found.append((node.module, {alias.name for alias in node.names}))
    return found


def private_attributes(path: Path) -> set[tuple[str, str]]:
    """(module, attribute) for `alias._name` where alias is an imported app module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in MODULES:
                    aliases[alias.asname] = alias.name
    return {
        (aliases[node.value.id], node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    }


def app_of(name: str) -> str:
    return name.split(".")[0]


def arrow_error(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported` (None: allowed)."""
    source, target = app_of(importer), app_of(imported)
    if target not in APPS:
        return None
    if is_pure(importer):
        return None if is_pure(imported) else "a pure layer imports an app module"
    if is_pure(imported):
        return None
    if target == "devtools" and source != "devtools":
        return "production code imports a developer tool"
    if is_interface(importer):
        if not is_interface(imported) or is_shared(imported):
            return None
        if source == target or app_of(importer) == "devtools":
            return None
        if importer.endswith("urls") and (imported.endswith("views") or ".api." in imported):
            return None
        if imported.endswith(".tasks"):
            return None  # an interface may enqueue another app's task (the tick sends checks)
        if importer.startswith("kelurahan_monitor."):
            return None  # the project's own URL conf, views and commands wire every app
        return "an interface imports another app's interface"
    # Core modules from here on.
    if is_interface(imported) and not is_shared(imported):
        return "a core module imports an interface"
    if source == target or is_shared(imported):
        return None
    if target in BELOW[source]:
        return None
    return f"{source} may import only {sorted(BELOW[source])} (the arrows point down)"


@pytest.mark.parametrize("name", sorted(MODULES), ids=str)
def test_every_import_follows_the_arrows(name):
    errors = []
    for imported, _ in imports_of(MODULES[name]):
        reason = arrow_error(name, imported)
        if reason and (name, imported) not in KNOWN_EXCEPTIONS:
            errors.append(f"{name} -> {imported}: {reason}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", sorted(MODULES), ids=str)
def test_no_module_imports_another_apps_private_names(name):
    taken = {
        (imported, item)
        for imported, items in imports_of(MODULES[name])
        for item in items
        if item.startswith("_") and not item.startswith("__")
    } | private_attributes(MODULES[name])
    foreign = {f"{m}.{item}" for m, item in taken if app_of(m) != app_of(name)}
    assert not foreign, sorted(foreign)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if is_pure(n)), ids=str)
def test_pure_layers_import_no_framework(name):
    roots = {imported.split(".")[0] for imported, _ in imports_of(MODULES[name])}
    allowed = next((v for k, v in PURE_MAY_USE.items() if name.startswith(k)), set())
    assert not (roots & (FRAMEWORKS - allowed)), sorted(roots & (FRAMEWORKS - allowed))


def test_the_known_exceptions_are_still_needed():
    """An exception that no longer happens is deleted, so the set only ever shrinks."""
    for importer, imported in KNOWN_EXCEPTIONS:
        assert any(m == imported for m, _ in imports_of(MODULES[importer])), (importer, imported)
        assert arrow_error(importer, imported) is not None


def test_the_app_graph_has_no_circle():
    edges = {app: set() for app in APPS}
    for name, path in MODULES.items():
        if is_interface(name) or is_pure(name):
            continue
        for imported, _ in imports_of(path):
            target = app_of(imported)
            if (
                target in APPS
                and target != app_of(name)
                and not is_pure(imported)
                and not is_shared(imported)
                and (name, imported) not in KNOWN_EXCEPTIONS
            ):
                edges[app_of(name)].add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in edges[start]
        )

    assert not [app for app in APPS if reaches(app, app, set())]
