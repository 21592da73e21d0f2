#!/usr/bin/env bash
# Debian packages the tests need: a GStreamer RTSP server (a real camera on 127.0.0.1) and
# Chromium for browser tests. Installs only what is missing.
set -euo pipefail
PACKAGES=(
    gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good
    gstreamer1.0-plugins-ugly chromium
)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# axe-core (npm registry) for the accessibility checks inside the Chromium tests; kept under
# var/ (ignored by git), read by tests/browser/conftest.py.
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/var/node"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    command -v npm >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq npm >/dev/null; }
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-audit --no-fund --silent "axe-core@^4.10" >/dev/null
fi
