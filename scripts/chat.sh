#!/usr/bin/env bash
# Set up everything, then open the chat on the embedded store over seeds/ (built on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/rag chat "$@"
