#!/usr/bin/env bash
# Builds natkit's fuzzers (STUN, SDP, SIP, DNS/ENUM) with clang and fuzzes each for a while, starting from a copy of the
# committed seed corpus (which stays untouched).
#
#   fuzz/run_smoke.sh [BUILD_DIR [SECONDS]]      defaults: /tmp/build-fuzz 30
#
# Environment: CXX_FUZZ (default clang++-14) is the compiler; JOBS (default 2) the build
# parallelism; FUZZ_ARGS extra libFuzzer flags (e.g. "-max_len=65556").
# Exit status: 0 when the time ran out without a crash; non-zero on a build failure or a
# crash, whose input is saved as BUILD_DIR/fuzz-artifacts/crash-* (reproduce with
# BUILD_DIR/fuzz/natkit-fuzz-stun BUILD_DIR/fuzz-artifacts/crash-...).
set -euo pipefail

build_dir=${1:-/tmp/build-fuzz}
seconds=${2:-30}
cxx=${CXX_FUZZ:-clang++-14}
jobs=${JOBS:-2}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v "$cxx" >/dev/null; then
  echo "run_smoke.sh: $cxx not found (set CXX_FUZZ to a clang++ with libFuzzer)" >&2
  exit 2
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run_smoke.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

cmake -S "$repo" -B "$build_dir" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNATKIT_BUILD_FUZZ=ON -DNATKIT_BUILD_TESTS=OFF -DNATKIT_BUILD_EXAMPLES=OFF -DNATKIT_BUILD_BENCH=OFF >/dev/null
targets=(stun sdp sip dns)
cmake --build "$build_dir" --target natkit-fuzz-stun natkit-fuzz-sdp natkit-fuzz-sip natkit-fuzz-dns -j "$jobs"

work=$(mktemp -d "${TMPDIR:-/tmp}/natkit-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build_dir/fuzz-artifacts/"
mkdir -p "$artifacts"

count() { find "$1" -type f | wc -l; }
for target in "${targets[@]}"; do
  corpus="$work/$target"
  mkdir -p "$corpus"
  cp "$repo"/fuzz/corpus/$target/* "$corpus"/
  echo "run_smoke.sh: natkit-fuzz-$target for ${seconds}s from $(count "$corpus") seeds; crashes go to $artifacts"
  status=0
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  "$build_dir/fuzz/natkit-fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="$artifacts$target-" ${FUZZ_ARGS:-} "$corpus" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "run_smoke.sh: natkit-fuzz-$target FAILED (libFuzzer exit status $status); see the report above and $artifacts" >&2
    exit "$status"
  fi
  echo "run_smoke.sh: natkit-fuzz-$target ok, no crash in ${seconds}s; the corpus grew to $(count "$corpus") inputs"
done
