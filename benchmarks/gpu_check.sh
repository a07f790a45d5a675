#!/usr/bin/env bash
# Every page's training step on the GPU and on the CPU in one call: throughput side by side and a
# float32 agreement check (see benchmarks/gpu_check.py). Exits non-zero if the devices disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: no NVIDIA GPU"
PYTHONPATH=lib${PYTHONPATH:+:$PYTHONPATH} exec "$PY" benchmarks/gpu_check.py "$@"
