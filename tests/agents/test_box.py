"""The box side without a server: the local queue, its files, and the import graph."""

import ast
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.domain import GENESIS_HASH, record_hash
from kelurahan_agent.agent import write_private
from kelurahan_agent.store import Store

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def payload(n: int, camera: int = 1) -> dict:
    slot = (NOW + timedelta(minutes=5 * n)).isoformat()
    return {"camera": camera, "slot": slot, "status": "ok", "people_in_zone": 1, "x": 0.1 * n}


def test_records_form_one_hash_chain_across_restarts(tmp_path):
    store = Store(tmp_path)
    assert store.append(payload(1), None, NOW) == 1
    assert store.append(payload(2), b"jpeg", NOW) == 2
    store.close()
    store = Store(tmp_path)  # a restart (or a power cut after the commit)
    assert store.append(payload(3), None, NOW) == 3
    records = store.pending(10)
    previous = GENESIS_HASH
    for record in records:
        assert record.previous_hash == previous
        assert record.hash == record_hash(previous, record.payload)
        previous = record.hash
    assert store.chain_head() == (3, previous)


def test_a_slot_checked_again_after_a_kill_is_not_queued_twice(tmp_path):
    store = Store(tmp_path)
    assert store.append(payload(1), None, NOW) == 1
    assert store.append(payload(1), None, NOW) is None
    assert store.queue_depth() == 1


def test_an_evidence_file_without_its_record_is_removed_at_start(tmp_path):
    store = Store(tmp_path)
    store.append(payload(1), b"kept", NOW)
    store.close()
    (tmp_path / "evidence" / "2.jpg").write_bytes(b"killed before the commit")
    store = Store(tmp_path)
    assert sorted(p.name for p in (tmp_path / "evidence").iterdir()) == ["1.jpg"]


def test_acknowledged_records_leave_the_queue_and_their_evidence_the_disk(tmp_path):
    store = Store(tmp_path)
    for n in range(1, 4):
        store.append(payload(n), b"x" * 100, NOW)
    store.mark([1, 2], [(3, "edited")])
    assert store.queue_depth() == 0
    assert store.counts() == {"acked": 2, "refused": 1}
    assert not (tmp_path / "evidence" / "1.jpg").exists()


def test_when_room_runs_out_the_oldest_evidence_goes_and_the_counts_stay(tmp_path):
    store = Store(tmp_path, evidence_cap_bytes=2500)
    for n in range(1, 6):
        store.append(payload(n), b"x" * 1000, NOW)
    kept = sorted(int(p.stem) for p in (tmp_path / "evidence").iterdir())
    assert kept == [4, 5]
    assert store.queue_depth() == 5  # every record (the counts) is still there
    assert [r.evidence_path is None for r in store.pending(10)] == [True] * 3 + [False] * 2
    assert store.day_count("2026-11-24", "evidence_dropped") == 3


def test_the_box_secrets_are_readable_by_the_owner_only(tmp_path):
    write_private(tmp_path / "agent.json", {"token": "t", "cameras": [{"password": "p"}]})
    mode = stat.S_IMODE(os.stat(tmp_path / "agent.json").st_mode)
    assert mode == 0o600
    assert json.loads((tmp_path / "agent.json").read_text())["token"] == "t"


# --- No Django on the box ---------------------------------------------------------------------

ALLOWED_PROJECT_MODULES = (
    "kelurahan_agent",
    "agents.domain",
    "cameras.sources",
    "cameras.vision",
    "cameras.checking",
    "cameras.domain",
    "compliance.domain",
    "places.vocabulary",
)
PROJECT_PACKAGES = {
    "kelurahan_agent",
    "agents",
    "cameras",
    "compliance",
    "places",
    "kelurahan_monitor",
    "reports",
}


def module_path(name: str) -> Path | None:
    base = REPO.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            package = ".".join(path.relative_to(REPO).with_suffix("").parts[: -node.level])
            found.add(f"{package}.{node.module}" if node.module else package)
    return found


def test_the_agent_imports_only_pure_layers_and_no_framework():
    """Every module the agent reaches, transitively, is a pure layer; none imports Django."""
    seen: set[str] = set()
    todo = ["kelurahan_agent.cli"]
    bad = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_path(name)
        if path is None:
            continue
        for imported in project_imports(path):
            root = imported.split(".")[0]
            if root in {"django", "rest_framework", "celery", "psycopg", "redis"}:
                bad.append(f"{name} -> {imported}")
            if root in PROJECT_PACKAGES and module_path(imported) is not None:
                empty_package = (
                    imported in PROJECT_PACKAGES and not module_path(imported).read_text()
                )
                if not imported.startswith(ALLOWED_PROJECT_MODULES) and not empty_package:
                    bad.append(f"{name} -> {imported}")
                todo.append(imported)
    assert not bad, bad
    assert {"cameras.checking", "cameras.sources", "compliance.domain"} <= seen


def test_the_agent_runs_without_django_installed_in_its_process():
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import kelurahan_agent.cli, kelurahan_agent.agent\n"
        "assert not any(m.startswith(('django', 'rest_framework')) for m in sys.modules "
        "if sys.modules[m] is not None)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["enrol", "run", "status", "check-now"])
def test_the_console_script_has_the_issue_s_sub_commands(command):
    result = subprocess.run(
        [sys.executable, "-m", "kelurahan_agent", command, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
