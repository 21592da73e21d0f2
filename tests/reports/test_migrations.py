"""Upgrading a deployment keeps its stored reports reachable by its own staff."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reports", "0002_reports_per_government")]
AFTER = [("reports", "0003_assign_reports_of_a_single_government")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Later tests (and the flush after this one) expect the current tables."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(("governments", "assigned"), [(1, True), (2, False)])
def test_old_reports_go_to_the_only_government(governments, assigned):
    apps = migrate(BEFORE)
    government = apps.get_model("compliance", "LocalGovernment")
    report = apps.get_model("reports", "Report")
    report.objects.all().delete()
    for code in ["74.71", "74.02"][:governments]:
        government.objects.get_or_create(code=code, defaults={"name": code, "kind": "kota"})
    government.objects.exclude(code__in=["74.71", "74.02"][:governments]).delete()
    old = report.objects.create(kind="morning", date="2026-11-20", file_path="harian/x.xlsx")
    apps = migrate(AFTER)
    reloaded = apps.get_model("reports", "Report").objects.get(pk=old.pk)
    assert (reloaded.local_government_id is not None) is assigned
