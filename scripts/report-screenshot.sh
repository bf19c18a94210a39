#!/usr/bin/env bash
# Renders `weightpack report` in a real browser, for docs/ and for checking the charts by eye.
#
# Builds weightpack in release mode, fetches all-MiniLM-L6-v2 with scripts/fetch-model.sh, packs it twice
# (`--quant int8` and `--quant none`, both with the default zstd codec), writes each report with
# `--reference` the original safetensors into out/, and screenshots each page with headless Chromium at
# 1280 px wide:
#   docs/report-minilm-int8.png   (out/all-MiniLM-L6-v2.int8.report.html)
#   docs/report-minilm-none.png   (out/all-MiniLM-L6-v2.none.report.html)
#
# Needs Debian's chromium (`apt-get install -y chromium`; this script installs it when missing and it runs
# as root). Chromium's --screenshot captures the window only, so the window heights below are set to the
# pages' heights for this model; raise them (INT8_HEIGHT=…, NONE_HEIGHT=…) if a report grows and its end is
# cut off. Set WEIGHTPACK_SCRATCH_PATH to build in another folder than .build. Each PNG should stay < 1 MB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
int8_height="${INT8_HEIGHT:-3100}"
none_height="${NONE_HEIGHT:-2650}"
scratch=()
if [ -n "${WEIGHTPACK_SCRATCH_PATH:-}" ]; then scratch=(--scratch-path "$WEIGHTPACK_SCRATCH_PATH"); fi

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y chromium >/dev/null; else
    echo "error: chromium is not installed; run: sudo apt-get install -y chromium" >&2
    exit 2
  fi
fi

swift build -c release --product weightpack "${scratch[@]}" 2>&1 | grep -E "error|warning: unre" || true
bin="$(swift build -c release "${scratch[@]}" --show-bin-path)/weightpack"
[ -x "$bin" ] || { echo "error: the release build did not produce $bin" >&2; exit 2; }
model="$(realpath --relative-to=. "$(scripts/fetch-model.sh)")"
mkdir -p out docs

screenshot() { # screenshot HTML PNG HEIGHT
  local profile
  profile="$(mktemp -d)"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --screenshot="$2" --window-size="1280,$3" "file://$root/$1" >/dev/null 2>&1
  rm -rf "$profile"
  [ -s "$2" ] || { echo "error: chromium wrote no screenshot $2" >&2; exit 2; }
  local bytes
  bytes="$(stat -c %s "$2")"
  echo "$2: 1280×$3, $bytes bytes"
  [ "$bytes" -lt 1048576 ] || echo "warning: $2 is 1 MB or more" >&2
}

for recipe in int8 none; do
  packed="out/all-MiniLM-L6-v2.$recipe.wpk"
  html="out/all-MiniLM-L6-v2.$recipe.report.html"
  "$bin" pack "$model" -o "$packed" --quant "$recipe" -q
  "$bin" report "$packed" --reference "$model" -o "$html"
  height="$int8_height"
  [ "$recipe" = none ] && height="$none_height"
  screenshot "$html" "docs/report-minilm-$recipe.png" "$height"
done
