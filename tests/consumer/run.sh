#!/usr/bin/env bash
# Proves each way to consume natkit: install to a prefix, then build and run the consumer
# project through find_package (standalone Asio, and Boost.Asio when Boost is there),
# pkg-config, add_subdirectory and FetchContent. The consumer includes every public header
# with -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror.
#   run.sh NATKIT_SOURCE_DIR WORK_DIR [CXX_COMPILER [CXX_STANDARD]]
# ctest passes the compiler and standard of the configuration that runs it, so the GCC C++17
# and Clang C++20 configurations each consume natkit with their own compiler.
set -euo pipefail
src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
cxx=${3:-}
std=${4:-}
rm -rf "${work:?}"/*
prefix=$work/prefix
cmake -S "$src" -B "$work/natkit" -DNATKIT_BUILD_TESTS=OFF -DNATKIT_BUILD_EXAMPLES=OFF -DNATKIT_BUILD_BENCH=OFF \
  -DNATKIT_BUILD_FUZZ=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/natkit.log"
cmake --install "$work/natkit" >>"$work/natkit.log"
test -f "$prefix/include/natkit.hpp"
test -f "$prefix/share/cmake/natkit/natkitConfig.cmake"
test -f "$prefix/share/cmake/natkit/natkitConfigVersion.cmake"
test -f "$prefix/share/pkgconfig/natkit.pc"
# The installed headers are exactly the source headers.
diff -r "$src/include" "$prefix/include" >/dev/null || { diff -rq "$src/include" "$prefix/include"; echo "not ok - installed headers differ"; exit 1; }
# Header-only: the version file must accept a consumer of any bitness.
grep -q 'if("TRUE")' "$prefix/share/cmake/natkit/natkitConfigVersion.cmake" ||
  { echo "not ok - natkitConfigVersion.cmake is not ARCH_INDEPENDENT"; exit 1; }
echo "ok - installed layout (headers, config, arch-independent version file, natkit.pc)"
# The umbrella header names every public core header.
missing=$(cd "$src/include" && find natkit -name '*.hpp' -not -path '*/detail/*' -not -path 'natkit/asio/*' | sort |
  while read -r h; do grep -q "\"$h\"" natkit.hpp || echo "$h"; done)
status=0
if [[ -z "$missing" ]]; then
  echo "ok - natkit.hpp includes every public core header"
else
  echo "not ok - natkit.hpp does not include:" $missing
  status=1
fi

args=()
[[ -n "$cxx" ]] && args+=("-DCMAKE_CXX_COMPILER=$cxx")
[[ -n "$std" ]] && args+=("-DCMAKE_CXX_STANDARD=$std")
rev=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo HEAD)
ways=(find_package pkg-config add_subdirectory fetchcontent)
[[ -f /usr/include/boost/asio.hpp ]] && ways+=(find_package-boost)
for how in "${ways[@]}"; do
  b=$work/consumer-$how
  headers=$src/include
  [[ $how == find_package* || $how == pkg-config ]] && headers=$prefix/include
  PKG_CONFIG_PATH="$prefix/share/pkgconfig" cmake -S "$src/tests/consumer" -B "$b" -DNATKIT_CONSUME=$how \
    -DCMAKE_PREFIX_PATH="$prefix" -DNATKIT_SOURCE_DIR="$src" -DNATKIT_HEADERS_DIR="$headers" \
    -DNATKIT_GIT_REV="$rev" "${args[@]}" >"$b.log" 2>&1 ||
    { cat "$b.log"; echo "not ok - $how: configure"; exit 1; }
  cmake --build "$b" -j 2 >>"$b.log" 2>&1 || { tail -n 80 "$b.log"; echo "not ok - $how: build"; exit 1; }
  "$b/consumer_core" >/dev/null || { echo "not ok - $how: run"; exit 1; }
  echo "ok - consumed through $how"
done
exit $status
