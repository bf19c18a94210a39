#!/usr/bin/env bash
# The speed benchmark, from a fresh clone in one command (see bench/README.md):
# installs what it needs (Debian's zstd and lz4, a venv at .venv-bench with bench/requirements.txt), fetches
# all-MiniLM-L6-v2, generates a 1 GiB synthetic float32 model, builds weightpack in release mode, then times
# weightpack's commands and their peers on both models, prints the comparison and writes bench/results.json.
#
# Usage: bench/run.sh [--slow] [--no-zipnn] [--keep]
#   --slow      also run zstd -19 --long=27 on the 1 GiB model (about 10 more minutes on 2 cores)
#   --no-zipnn  do not install ZipNN (it brings torch: about 5 GiB in the venv, 2-3 minutes to install)
#   --keep      keep the outputs of the last run in the cache folder's scratch/
# Cache: $WEIGHTPACK_CACHE/bench or .cache/bench (the model, the synthetic model, logs, outputs).
set -euo pipefail
export BENCH_START="$(date +%s.%N)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

slow=() keep=() zipnn=1
for arg in "$@"; do
  case "$arg" in
    --slow) slow=(--slow) ;;
    --keep) keep=(--keep) ;;
    --no-zipnn) zipnn=0 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $arg (see bench/run.sh --help)" >&2; exit 64 ;;
  esac
done

cache="${WEIGHTPACK_CACHE:-$root/.cache}/bench"
venv="$root/.venv-bench"
mkdir -p "$cache"
times="$cache/setup-times.txt"
: >"$times"
now() { date +%s.%N; }
record() { awk -v name="$1" -v t0="$2" -v t1="$(now)" 'BEGIN { printf "%s %.1f\n", name, t1 - t0 }' >>"$times"; }
say() { echo "== $*"; }

background=()
cleanup() {
  local pid
  for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# 1. Debian packages: the build's libraries, zstd and lz4 (scripts/install-deps.sh), and GNU time.
t0="$(now)"
say "system packages"
scripts/install-deps.sh
if [ ! -x /usr/bin/time ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq time >/dev/null
fi
record apt "$t0"

# 2. The venv with the pinned Python peers; ZipNN (and the torch it needs) installs in the background.
t0="$(now)"
say "Python venv $(realpath --relative-to=. "$venv")"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
grep -vE '^(zipnn|torch)[=<> ]' bench/requirements.txt >"$cache/requirements-core.txt"
grep -E '^(zipnn|torch)[=<> ]' bench/requirements.txt >"$cache/requirements-zipnn.txt" || true
"${pip[@]}" -r "$cache/requirements-core.txt"
record venv "$t0"
zipnn_note=""
zipnn_pid=""
if [ "$zipnn" = 1 ] && [ ! -s "$cache/requirements-zipnn.txt" ]; then
  zipnn_note="ZipNN is not in bench/requirements.txt"
elif [ "$zipnn" = 1 ]; then
  say "installing ZipNN in the background (log: $(realpath --relative-to=. "$cache")/zipnn-install.log)"
  "${pip[@]}" -r "$cache/requirements-zipnn.txt" >"$cache/zipnn-install.log" 2>&1 &
  zipnn_pid=$!
  background+=("$zipnn_pid")
  zipnn_t0="$(now)"
else
  zipnn_note="ZipNN skipped (bench/run.sh --no-zipnn)"
fi

# 3. The models: all-MiniLM-L6-v2 (downloaded once) and the synthetic 1 GiB model (generated once).
t0="$(now)"
say "models"
minilm="$(scripts/fetch-model.sh)"
record fetch-model "$t0"
t0="$(now)"
synthetic="$cache/synthetic-llm-1g.safetensors"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" bench/make_synthetic_model.py "$synthetic" >/dev/null
record synthetic-model "$t0"

# 4. The release build. Retried: a tree being edited may not build for a minute.
t0="$(now)"
say "swift build -c release (log: $(realpath --relative-to=. "$cache")/build.log)"
for attempt in 1 2 3 4 5; do
  if swift build -c release --product weightpack >"$cache/build.log" 2>&1 \
    && swift build -c release --product weightpack-bench >>"$cache/build.log" 2>&1; then
    break
  fi
  tail -n 20 "$cache/build.log" >&2
  if [ "$attempt" = 5 ]; then
    echo "error: the release build failed 5 times" >&2
    exit 2
  fi
  echo "the release build failed (attempt $attempt of 5); retrying in 60 s" >&2
  sleep 60
done
bin="$(swift build -c release --show-bin-path)/weightpack"
[ -x "$bin" ] || { echo "error: the release build did not produce $bin" >&2; exit 2; }
kernels="$(dirname "$bin")/weightpack-bench"
[ -x "$kernels" ] || { echo "error: the release build did not produce $kernels" >&2; exit 2; }
record build "$t0"

if [ -n "$zipnn_pid" ]; then
  say "waiting for the ZipNN install"
  if wait "$zipnn_pid"; then
    record zipnn-install "$zipnn_t0"
  else
    reason="$(grep -m1 -iE 'error' "$cache/zipnn-install.log" || tail -n 1 "$cache/zipnn-install.log")"
    zipnn_note="ZipNN could not be installed here: $reason"
    echo "$zipnn_note" >&2
  fi
  background=()
fi

# 5. The measurements (numpy runs without this machine's OpenBLAS overrides, which slow it down).
say "measuring"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" bench/bench.py \
  --bin "$bin" \
  --kernels "$kernels" \
  --model "all-MiniLM-L6-v2=$minilm:3" \
  --model "synthetic-llm-1g=$synthetic:1" \
  --work "$cache/scratch" \
  --out bench/results.json \
  --zipnn-note "$zipnn_note" \
  --setup-times "$times" \
  "${slow[@]}" "${keep[@]}"
awk -v t0="$BENCH_START" -v t1="$(now)" 'BEGIN { printf "total time: %.0f s\n", t1 - t0 }'
