#!/usr/bin/env bash
# Builds natkit-bench-codec (Release, -O2) and runs it: natkit, libnice and libre on the same
# STUN work, 5 repetitions, with a table of medians and ratios at the end. The repetitions are
# randomly interleaved across all benchmarks, so that a load change on a shared machine hits the
# three libraries alike instead of whichever ran at the time.
#   NATKIT_BENCH_BUILD_DIR  build directory (default: build/bench-release in the source tree)
#   NATKIT_JOBS             parallel build jobs (default 2)
# Extra arguments go to the benchmark binary, e.g. --benchmark_filter=c2
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${NATKIT_BENCH_BUILD_DIR:-$root/build/bench-release}
jobs=${NATKIT_JOBS:-2}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DNATKIT_BUILD_BENCH=ON -DNATKIT_BUILD_TESTS=OFF -DNATKIT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target natkit-bench-codec
"$build/bench/natkit-bench-codec" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true "$@"
