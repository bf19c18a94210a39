#!/usr/bin/env bash
# Runs every test: the Swift suite, then the interop tests against the Python reference libraries
# (safetensors, numpy) on small fixtures and on the real all-MiniLM-L6-v2 model.
# Then checks the formatting of the Swift sources (scripts/lint.sh).
# WEIGHTPACK_SKIP_MODEL=1 skips the real-model tests (they download 83 MB once, then use the cache).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/install-deps.sh
python="$(scripts/python-env.sh)"
export WEIGHTPACK_PYTHON="$python"
export WEIGHTPACK_GGUF_PYTHON="$python"
swift build --product weightpack
export WEIGHTPACK_BIN="$(swift build --show-bin-path)/weightpack"
if [ "${WEIGHTPACK_SKIP_MODEL:-0}" != "1" ]; then
  export WEIGHTPACK_MODEL="$(scripts/fetch-model.sh)"
fi
swift test 2>&1 | tee .swift-test.log
"$python" -m pytest -q tests/python
scripts/lint.sh
