#!/usr/bin/env bash
# Set up everything, then run the whole test suite (unit, end-to-end, server and browser tiers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest -q "$@"
