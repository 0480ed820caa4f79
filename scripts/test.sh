#!/usr/bin/env bash
# Set up everything, then run the whole test suite (unit, end-to-end, server and browser tiers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
if [ ! -x /usr/bin/chromium ]; then
    apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
    [ "$(id -u)" -eq 0 ] || apt=(sudo "${apt[@]}")
    "${apt[@]}" install -y -q chromium || { "${apt[@]}" update -q && "${apt[@]}" install -y -q chromium; }
fi
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest -q "$@"
