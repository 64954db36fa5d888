#!/usr/bin/env bash
# Creates .venv with what the tools in tools/ need (conversion, fixtures, training).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r tools/requirements.txt
