#!/usr/bin/env bash
# Proves each way to consume natkit: install to a prefix, then build and run the consumer
# project through find_package, pkg-config, add_subdirectory and FetchContent.
#   run.sh NATKIT_SOURCE_DIR WORK_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake -S "$src" -B "$work/natkit" -DNATKIT_BUILD_TESTS=OFF -DNATKIT_BUILD_EXAMPLES=OFF -DNATKIT_BUILD_BENCH=OFF \
  -DNATKIT_BUILD_FUZZ=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/natkit.log"
cmake --install "$work/natkit" >>"$work/natkit.log"
test -f "$prefix/include/natkit.hpp"
test -f "$prefix/share/cmake/natkit/natkitConfigVersion.cmake"
test -f "$prefix/share/pkgconfig/natkit.pc"

rev=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo HEAD)
for how in find_package pkg-config add_subdirectory fetchcontent; do
  b=$work/consumer-$how
  PKG_CONFIG_PATH="$prefix/share/pkgconfig" cmake -S "$src/tests/consumer" -B "$b" -DNATKIT_CONSUME=$how \
    -DCMAKE_PREFIX_PATH="$prefix" -DNATKIT_SOURCE_DIR="$src" -DNATKIT_GIT_REV="$rev" >"$b.log" 2>&1 ||
    { cat "$b.log"; echo "not ok - $how: configure"; exit 1; }
  cmake --build "$b" -j 2 >>"$b.log" 2>&1 || { cat "$b.log"; echo "not ok - $how: build"; exit 1; }
  "$b/consumer_core" >/dev/null || { echo "not ok - $how: run"; exit 1; }
  echo "ok - consumed through $how"
done
