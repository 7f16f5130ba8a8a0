#!/usr/bin/env bash
# Builds natkit-bench-keepalive (Release, -O2) and runs it: natkit's keepalive scheduler with
# 1,000,000 bindings at 10-30 s intervals next to a std::priority_queue scheduler and one Asio
# steady_timer per binding, with a table of ns/keepalive, bytes/binding, allocations and ratios
# at the end (about a minute; the program prints how each figure was obtained).
#   NATKIT_BENCH_BUILD_DIR  build directory (default: build/bench-release in the source tree)
#   NATKIT_JOBS             parallel build jobs (default 2)
#   NATKIT_BENCH_CPU        CPU to pin the run to with taskset (default 1; empty: no pinning)
# Extra arguments go to the benchmark binary, e.g. --quick, --only=natkit, --bindings=100000.
# The figures depend on memory latency and on other load: run it on an otherwise idle machine,
# or several times and take the best (the README's figures are the best of several runs).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${NATKIT_BENCH_BUILD_DIR:-$root/build/bench-release}
jobs=${NATKIT_JOBS:-2}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DNATKIT_BUILD_BENCH=ON -DNATKIT_BUILD_TESTS=OFF -DNATKIT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target natkit-bench-keepalive
cpu=${NATKIT_BENCH_CPU-1}
if [ -n "$cpu" ] && command -v taskset >/dev/null; then
  exec taskset -c "$cpu" "$build/bench/natkit-bench-keepalive" "$@"
fi
exec "$build/bench/natkit-bench-keepalive" "$@"
