"""`manage.py check --deploy` is clean with production environment variables."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    environ = dict(
        os.environ,
        SECRET_KEY="k" * 20 + "Zx9!qW3#eR5$tY7^uI1&oP2*aS4(dF6)",
        ALLOWED_HOSTS="monitor.kendarikota.go.id",
        HTTPS="true",
        DEBUG="false",
        KM_VAR_DIR=str(tmp_path),
    )
    environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by our browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
