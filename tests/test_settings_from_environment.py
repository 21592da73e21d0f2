"""Settings come from the environment; run each case in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
    "'tz': s.TIME_ZONE, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
    "'secure_cookie': s.SESSION_COOKIE_SECURE}))"
)


def probe(tmp_path: Path, **environ: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "kelurahan_monitor.settings"})
    clean.update({"KM_VAR_DIR": str(tmp_path / "var")})
    clean.update(environ)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_need_no_server(tmp_path):
    found = probe(tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "var" / "db.sqlite3")
    assert found["broker"] == "filesystem://"
    assert found["tz"] == "Asia/Makassar"
    assert found["debug"] is False
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


@pytest.mark.parametrize(
    ("url", "engine", "name"),
    [
        (
            "postgres://km:pw@db.example:5432/kelurahan",
            "django.db.backends.postgresql",
            "kelurahan",
        ),
        ("sqlite:////tmp/elsewhere.db", "django.db.backends.sqlite3", "/tmp/elsewhere.db"),
    ],
)
def test_database_url_selects_the_database(tmp_path, url, engine, name):
    found = probe(tmp_path, DATABASE_URL=url)
    assert (found["engine"], found["name"]) == (engine, name)


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:6379/0", "amqp://guest:guest@127.0.0.1//"])
def test_broker_url_switches_to_a_real_broker(tmp_path, broker):
    assert probe(tmp_path, CELERY_BROKER_URL=broker)["broker"] == broker


def test_production_variables(tmp_path):
    found = probe(
        tmp_path,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="monitor.kendarikota.go.id",
        HTTPS="1",
        TIME_ZONE="Asia/Jakarta",
    )
    assert found["hosts"] == ["monitor.kendarikota.go.id"]
    assert found["secure_cookie"] is True
    assert found["tz"] == "Asia/Jakarta"


def test_a_short_secret_key_is_refused_in_production(tmp_path):
    clean = dict(os.environ, SECRET_KEY="short", KM_VAR_DIR=str(tmp_path))
    clean.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 32 characters" in result.stderr


def test_generated_secret_key_is_kept_private(tmp_path):
    probe(tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert len(key_file.read_text()) >= 50


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CHECK_PIPELINE", "both", 'CHECK_PIPELINE must be "single" or "split"'),
        ("CHECK_BATCH_SIZE", "100", "CHECK_BATCH_SIZE must be between 1 and 40"),
    ],
)
def test_a_check_pipeline_setting_out_of_range_is_refused(tmp_path, variable, value, message):
    clean = dict(os.environ, KM_VAR_DIR=str(tmp_path), **{variable: value})
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
