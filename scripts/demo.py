"""`make demo`: migrate, seed Kota Kendari and Kabupaten Konawe, then run the web server, a
worker and beat together.

Everything runs on the zero-server defaults (SQLite in var/, the filesystem Celery broker).
The web server's and the worker's logs go to var/demo-web.log and var/demo-worker.log, so the
address and the login are the last lines on the terminal. Ctrl-C stops all three processes.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_USER, DEMO_PASSWORD = "demo", "kendari-demo"


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, check=True)


def wait_until_serving(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own localhost URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the web server did not answer at {url}")


def wait_for_public_still(url: str, timeout_s: float) -> None:
    """The public page asks the worker for stills; the smoke run waits for the first one."""
    import json

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own localhost URL
            cameras = json.load(response)["cameras"]
        if cameras and all(camera["picture"] for camera in cameras):
            print(f"public page: {len(cameras)} cameras with a blurred still", flush=True)
            return
        time.sleep(2)
    raise SystemExit(f"no public still appeared at {url} within {timeout_s:.0f} s")


def _stop_like_ctrl_c(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--smoke", action="store_true", help="start, check the site answers, stop")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelurahan_monitor.settings")
    os.environ["KM_DEMO"] = "1"  # pages credit the CC BY 4.0 frames the demo cameras show
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_kendari")
    manage("seed_konawe")
    manage("demo_public_cameras")
    manage("ensure_demo_user", "--username", DEMO_USER, "--password", DEMO_PASSWORD)
    manage("demo_morning")

    address = f"http://{options.host}:{options.port}/"
    logs = Path(os.environ.get("KM_VAR_DIR", REPO / "var"))
    logs.mkdir(parents=True, exist_ok=True)
    web_log = (logs / "demo-web.log").open("a", encoding="utf-8")
    worker_log = (logs / "demo-worker.log").open("a", encoding="utf-8")
    # `kill`, a closed terminal or a service manager stop the demo like Ctrl-C does: its web
    # server and worker (with beat) stop with it instead of running on alone.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, _stop_like_ctrl_c)
    processes = [
        subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"{options.host}:{options.port}"],
            cwd=REPO,
            stdout=web_log,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "kelurahan_monitor",
                "worker",
                "--beat",
                "-l",
                "info",
                "-c",
                "2",
                "-Q",
                "default,scheduling,vision,reports",
            ],
            cwd=REPO,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        ),
    ]
    try:
        wait_until_serving(address + "healthz", 60)
        print(f"\nLogs: {web_log.name} and {worker_log.name}")
        print(f"Command centre: {address}pusat-komando/   Public page: {address}publik/")
        print("Ctrl-C stops it.\n")
        print(f"kelurahan-monitor is running at {address}")
        print(f"Login: {DEMO_USER} / {DEMO_PASSWORD}", flush=True)
        if options.smoke:
            wait_for_public_still(address + "publik/74.02/kamera.json", 120)
            return
        while all(process.poll() is None for process in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        web_log.close()
        worker_log.close()


if __name__ == "__main__":
    main()
