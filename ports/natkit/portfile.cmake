# natkit: header-only, nothing is compiled, so only the release configuration is installed
# (no debug tree to merge).
set(VCPKG_BUILD_TYPE release)

# Where the sources come from.
# This overlay port lives in natkit's repository (ports/natkit) and builds the checkout it sits
# in. That is what a PBX vendor does with it: natkit is vendored into the product's tree (a git
# submodule or a copied release), and the build points vcpkg at <natkit>/ports with
# --overlay-ports or "overlay-ports" in vcpkg-configuration.json; the port then cannot disagree
# with the headers beside it, and no network access is needed. vcpkg's binary cache keys on the
# port's own files, not on the checkout: after changing natkit's headers without changing this
# port, run `vcpkg remove natkit` (or bump "port-version") so the package is rebuilt.
# Copied into a registry or a standalone overlay directory, the port has no checkout next to it
# and fetches the release tag instead; SHA512 is filled in when the release is tagged (vcpkg
# reports the archive's hash on the first install with SHA512 0).
get_filename_component(natkit_checkout "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(EXISTS "${natkit_checkout}/include/natkit/version.hpp" AND EXISTS "${natkit_checkout}/cmake/natkit_install.cmake")
    set(SOURCE_PATH "${natkit_checkout}")
else()
    vcpkg_from_github(
        OUT_SOURCE_PATH SOURCE_PATH
        REPO natkit/natkit
        REF "v${VERSION}"
        SHA512 0
        HEAD_REF main
    )
endif()

# The features ("asio", "boost-asio") only bring in a dependency: the installed files are the
# same with and without them, and natkitConfig.cmake defines natkit::asio when the consumer asks
# for COMPONENTS asio. So no feature options are passed here.
# The CMake package goes straight to share/natkit, where vcpkg wants it; natkit.pc to
# share/pkgconfig (header-only, so architecture-independent).
# tests/packaging/run.sh reads the OPTIONS below and CONFIG_PATH from this file and runs them.
vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DNATKIT_INSTALL=ON
        -DNATKIT_BUILD_TESTS=OFF
        -DNATKIT_BUILD_EXAMPLES=OFF
        -DNATKIT_BUILD_BENCH=OFF
        -DNATKIT_BUILD_FUZZ=OFF
        -DNATKIT_BUILD_INTEROP=OFF
        -DNATKIT_WARNINGS_AS_ERRORS=OFF
        -DNATKIT_INSTALL_CMAKEDIR=share/natkit
        -DNATKIT_INSTALL_PKGCONFIGDIR=share/pkgconfig
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/natkit)
vcpkg_fixup_pkgconfig()

# Header-only: no libraries, and the debug tree (if a triplet forces one) holds only copies.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug" "${CURRENT_PACKAGES_DIR}/lib")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
