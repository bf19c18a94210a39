#!/usr/bin/env bash
# The main job on a fresh machine: install what is needed, build in release mode, fetch all-MiniLM-L6-v2,
# pack it to int8 + zstd, inspect the result, unpack it and verify it against the original.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/install-deps.sh
swift build -c release --product weightpack 2>&1 | grep -vE "^\[|^Building|^Build of|^Fetching|^Fetched|^Computing|^Computed|^Creating working copy|^Working copy" || true
bin="$(realpath --relative-to=. "$(swift build -c release --show-bin-path)")/weightpack"
[ -x "$bin" ] || { echo "error: the release build did not produce $bin" >&2; exit 2; }
model="$(realpath --relative-to=. "$(scripts/fetch-model.sh)")"
out="out"
mkdir -p "$out"
echo "== weightpack pack (int8 + zstd)"
"$bin" pack "$model" -o "$out/all-MiniLM-L6-v2.int8.wpk" --recipe int8
echo "== weightpack inspect"
"$bin" inspect "$out/all-MiniLM-L6-v2.int8.wpk"
echo "== weightpack unpack"
"$bin" unpack "$out/all-MiniLM-L6-v2.int8.wpk" -o "$out/all-MiniLM-L6-v2.int8.safetensors"
echo "== weightpack verify (original vs unpacked)"
"$bin" verify "$model" "$out/all-MiniLM-L6-v2.int8.safetensors" --min-snr 25
