#!/usr/bin/env bash
# Runs the libFuzzer targets of the Fuzz/ package, each for a set time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 seconds, every target)
#   scripts/fuzz.sh 600                                 (ten minutes each)
#   scripts/fuzz.sh 60 wpk-payload huffman              (two targets)
#   FUZZ_SKIP_BUILD=1 scripts/fuzz.sh 60 huffman        (reuse the executables already built)
#   FUZZ_MAX_RUNS=1000000 scripts/fuzz.sh 600          (each target stops after 10 minutes or a million inputs)
#
# Each target first replays the inputs saved in fixtures/fuzz-corpus/<target>/ (naming those that still fail), then
# fuzzes from the fixtures of its format, the seeds it builds from valid data and the committed corpus of
# Fuzz/corpus/<target>/ (inputs earlier runs found interesting, minimized); the corpus it grows is kept in
# .build-fuzz-pkg/fuzz/corpus/<target>/ for the next run. To refresh the committed corpus from a grown one:
#   fuzz-<target> -merge=1 -max_len=4096 Fuzz/corpus/<target> .build-fuzz-pkg/fuzz/corpus/<target> Limits: 5 s per input, 2 GB resident, 1 GB per allocation
# (AddressSanitizer's allocator enforces the last). Every new crash, timeout or out-of-memory input is moved to
# fixtures/fuzz-corpus/<target>/ (FuzzSmokeTests replays it) and the script exits 1. Linking needs the toolchain's
# lld: the system's gold fails on these executables ("internal error in format_file_lineno").
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(safetensors npy npz gguf wpk wpk-payload wpk-index huffman zstd lz4 quant prune cluster ecsq ggml lowrank
    shuffle)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "unknown target '$target'; known: ${all_targets[*]}" >&2; exit 2; }
done

scratch=.build-fuzz-pkg
flags=(--package-path Fuzz --scratch-path "$scratch" -c release
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
[ "${FUZZ_SKIP_BUILD:-0}" = 1 ] || swift build "${flags[@]}"
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$scratch/fuzz
[ -d /dev/shm ] && export TMPDIR=/dev/shm   # the file readers write each input to a temporary file
export SWIFT_BACKTRACE=enable=no            # let libFuzzer report the crash and save the input
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0

fixture_folder() {
    case $1 in
        safetensors | npy | npz | gguf) echo "fixtures/$1" ;;
        *) echo "" ;;
    esac
}

found=0
summary=()
for target in "${targets[@]}"; do
    corpus=$work/corpus/$target
    seeds=$work/seeds/$target
    artifacts=$work/artifacts/$target
    saved=fixtures/fuzz-corpus/$target
    mkdir -p "$corpus" "$artifacts" "$work/logs"
    rm -rf "$seeds"
    "$bin/fuzz-$target" --write-seeds "$seeds"
    inputs=("$corpus" "$seeds")
    [ -d "Fuzz/corpus/$target" ] && inputs+=("Fuzz/corpus/$target")
    [ -n "$(fixture_folder "$target")" ] && inputs+=("$(fixture_folder "$target")")
    log=$work/logs/$target.log
    still=0
    for input in "$saved"/*; do
        [ -f "$input" ] || continue
        if ! "$bin/fuzz-$target" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024 -detect_leaks=0 "$input" \
            >"$work/logs/$target.replay.log" 2>&1; then
            echo "   still fails: $input"
            still=$((still + 1))
            found=1
        fi
    done
    echo "== fuzz-$target for ${seconds}s"
    set +e
    "$bin/fuzz-$target" -max_total_time="$seconds" -runs="${FUZZ_MAX_RUNS:--1}" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" "${inputs[@]}" >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    bad=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    if [ "$bad" -gt 0 ]; then
        found=1
        mkdir -p "$saved"
        for artifact in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
            [ -f "$artifact" ] && mv "$artifact" "$saved/"
        done
        grep -m1 -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|out-of-memory|timeout' "$log" || true
        echo "   saved $bad input(s) under $saved/; log: $log"
    elif [ $status -ne 0 ]; then
        found=1
        echo "   fuzz-$target exited with $status; log: $log"
    fi
    summary+=("$(printf '%-12s %12s runs %8s exec/s  %d new failing input(s), %d saved still failing' "$target" \
        "${runs:-?}" "${rate:-?}" "$bad" "$still")")
done

echo
echo "target       inputs run      rate     result  (${seconds}s each)"
printf '%s\n' "${summary[@]}"
exit $found
