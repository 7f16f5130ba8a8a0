#!/usr/bin/env bash
# What the vcpkg port and the Conan recipe do, checked with plain CMake (neither tool can be
# installed here). README, "Which packaging parts are tested how", says what this covers.
#   run.sh NATKIT_SOURCE_DIR WORK_DIR
#
# vcpkg: the OPTIONS and CONFIG_PATH are read from ports/natkit/portfile.cmake and run as
#   vcpkg_cmake_configure/vcpkg_cmake_install would (one release configuration, prefix = the
#   package directory); the installed layout is checked against what the portfile's fixups
#   expect (nothing left for them to move or patch); the package is then moved to another
#   directory, as vcpkg does when it installs a package, and test_package/ is built against it
#   with find_package(natkit COMPONENTS asio) (the "asio" feature) and pkg-config is asked.
# Conan: tests/packaging/conan_emulate.py runs the recipe's export, validate, package,
#   package_id and package_info, writes what CMakeDeps would generate from package_info, and
#   test_package/ is built and run against it with and without with_asio.
set -euo pipefail
src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
rm -rf "${work:?}"/*
status=0
fail() { echo "not ok - $*"; status=1; }
pass() { echo "ok - $*"; }

version=$(sed -nE 's/^project\(natkit VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
[[ -n "$version" ]] || { echo "not ok - no project version in CMakeLists.txt"; exit 1; }

# ------------------------------------------------------------------------------ vcpkg
port=$src/ports/natkit
python3 - "$port/vcpkg.json" "$version" <<'PY' || status=1
import json, sys
m = json.load(open(sys.argv[1]))
def check(c, what):
    print(("ok - " if c else "not ok - ") + what)
    return c
good = all([
    check(m["name"] == "natkit", "vcpkg.json: name natkit"),
    check(m.get("version-semver") == sys.argv[2], "vcpkg.json: version-semver %s matches CMake %s" % (m.get("version-semver"), sys.argv[2])),
    check({"name": "vcpkg-cmake", "host": True} in m["dependencies"] and {"name": "vcpkg-cmake-config", "host": True} in m["dependencies"],
          "vcpkg.json: vcpkg-cmake and vcpkg-cmake-config as host dependencies"),
    check(m["features"]["asio"]["dependencies"] == ["asio"], "vcpkg.json: feature asio depends on asio"),
])
sys.exit(0 if good else 1)
PY

# The OPTIONS block of vcpkg_cmake_configure and the CONFIG_PATH of vcpkg_cmake_config_fixup.
mapfile -t options < <(sed -n '/^vcpkg_cmake_configure(/,/^)/p' "$port/portfile.cmake" | grep -E '^\s+-D' | sed -E 's/^\s+//')
config_path=$(sed -nE 's/^vcpkg_cmake_config_fixup\(CONFIG_PATH ([^ )]+).*/\1/p' "$port/portfile.cmake")
[[ ${#options[@]} -ge 5 && -n "$config_path" ]] || { echo "not ok - cannot read the portfile"; exit 1; }
pkgdir=$work/vcpkg/packages/natkit_x64-linux
mkdir -p "$work/vcpkg"
# vcpkg_cmake_configure: a release build directory; CMAKE_INSTALL_PREFIX is the package directory.
if cmake -S "$src" -B "$work/vcpkg/x64-linux-rel" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$pkgdir" \
     "${options[@]}" >"$work/vcpkg/configure.log" 2>&1 && cmake --install "$work/vcpkg/x64-linux-rel" >"$work/vcpkg/install.log" 2>&1; then
  pass "vcpkg: configure + install with the portfile's ${#options[@]} options"
else
  cat "$work/vcpkg/configure.log" "$work/vcpkg/install.log" | tail -n 30
  fail "vcpkg: configure + install"
fi
# vcpkg warns about options the project does not use: each option must mean something.
grep -q "Manually-specified variables were not used" "$work/vcpkg/configure.log" &&
  fail "vcpkg: natkit ignores some portfile options: $(grep -A5 'not used' "$work/vcpkg/configure.log" | tr -s ' \n' ' ')"
# vcpkg_cmake_config_fixup(CONFIG_PATH share/natkit) expects the CMake package there, and the
# vcpkg layout is share/<port>; vcpkg_fixup_pkgconfig looks for *.pc files.
for f in include/natkit.hpp include/natkit/version.hpp "$config_path/natkitConfig.cmake" \
         "$config_path/natkitConfigVersion.cmake" "$config_path/natkitTargets.cmake" share/pkgconfig/natkit.pc; do
  [[ -f "$pkgdir/$f" ]] || fail "vcpkg: $f missing"
done
[[ $config_path == share/natkit ]] || fail "vcpkg: CONFIG_PATH $config_path is not share/natkit"
extra=$(cd "$pkgdir" && find . -type f -not -path './include/*' -not -path "./$config_path/*" -not -path './share/pkgconfig/*')
[[ -z "$extra" ]] || fail "vcpkg: unexpected installed files: $extra"
[[ ! -e "$pkgdir/lib" && ! -e "$pkgdir/bin" && ! -e "$pkgdir/debug" ]] || fail "vcpkg: lib/, bin/ or debug/ installed"
# Nothing for the fixups to patch: no absolute path of the package or source directory.
if grep -rlF -e "$pkgdir" -e "$src" "$pkgdir/share"; then fail "vcpkg: absolute paths in share/"; fi
[[ -f "$src/LICENSE" && -f "$port/usage" ]] || fail "vcpkg: LICENSE (vcpkg_install_copyright) or usage missing"
[[ $status -eq 0 ]] && pass "vcpkg: layout share/natkit, share/pkgconfig, include/; relocatable; nothing in lib/"

# vcpkg installs the package by copying it into installed/<triplet>: a consumer uses it there.
installed=$work/vcpkg/installed/x64-linux
mkdir -p "$(dirname "$installed")" && mv "$pkgdir" "$installed"
cflags=$(PKG_CONFIG_PATH="$installed/share/pkgconfig" pkg-config --cflags natkit || true)
cflags=$(echo $cflags)
[[ "$(cd "${cflags#-I}" 2>/dev/null && pwd)" == "$installed/include" ]] && pass "vcpkg: pkg-config --cflags natkit -> installed/include" ||
  fail "vcpkg: pkg-config --cflags natkit gives '$cflags'"

# build_test_package NAME PREFIX-PATH CMAKE-ARGS...
build_test_package() {
  local name=$1 prefix=$2
  shift 2
  local b=$work/test_package-$name
  if cmake -S "$src/test_package" -B "$b" -DCMAKE_PREFIX_PATH="$prefix" "$@" >"$b.log" 2>&1 &&
     cmake --build "$b" -j 2 >>"$b.log" 2>&1 && "$b/test_package" >>"$b.log" 2>&1; then
    pass "$name: test_package builds and runs ($(tail -n 1 "$b.log"))"
  else
    tail -n 40 "$b.log"
    fail "$name: test_package"
  fi
}
build_test_package vcpkg-asio "$installed" -DNATKIT_WITH_ASIO=ON

# ------------------------------------------------------------------------------ Conan
PYTHONDONTWRITEBYTECODE=1 python3 -c 'import sys; [compile(open(f).read(), f, "exec") for f in sys.argv[1:]]' \
  "$src/conanfile.py" "$src/test_package/conanfile.py" && pass "conanfile.py and test_package/conanfile.py compile" ||
  fail "conanfile.py syntax"
PYTHONDONTWRITEBYTECODE=1 python3 "$src/tests/packaging/conan_emulate.py" "$src" "$work/conan" "$version" || status=1
for a in 0 1; do
  mapfile -t targs <"$work/conan/test_package-asio-$a.args"
  build_test_package "conan-with_asio=$a" "$work/conan/deps-asio-$a" "${targs[@]}"
done
exit $status
