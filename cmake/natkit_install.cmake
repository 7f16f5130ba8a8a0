# cmake --install: the headers, natkitConfig.cmake with natkitTargets.cmake, an architecture-
# independent natkitConfigVersion.cmake (header-only: any compiler and bitness may use it),
# and natkit.pc for pkg-config.
include(CMakePackageConfigHelpers)

install(TARGETS natkit EXPORT natkitTargets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Where the CMake package and natkit.pc go, relative to the prefix. Header-only: both are
# architecture-independent, so under share/ (DATADIR). Packagers override these (the vcpkg
# port installs the CMake files straight into share/natkit, where vcpkg wants them).
set(NATKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_DATADIR}/cmake/natkit CACHE STRING
    "Install directory of natkitConfig.cmake, relative to the prefix")
set(NATKIT_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_DATADIR}/pkgconfig CACHE STRING
    "Install directory of natkit.pc, relative to the prefix")
set(NATKIT_CMAKE_DIR ${NATKIT_INSTALL_CMAKEDIR})
install(EXPORT natkitTargets NAMESPACE natkit:: DESTINATION ${NATKIT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/natkitConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/natkitConfig.cmake INSTALL_DESTINATION ${NATKIT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/natkitConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/natkitConfig.cmake ${PROJECT_BINARY_DIR}/natkitConfigVersion.cmake
        DESTINATION ${NATKIT_CMAKE_DIR})
# natkit.pc is relocatable: its prefix is found from the file's own place (${pcfiledir}), so a
# prefix that is moved or copied (a Conan or vcpkg package, a staged DESTDIR) stays valid.
if(IS_ABSOLUTE "${NATKIT_INSTALL_PKGCONFIGDIR}")
  set(NATKIT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH NATKIT_PC_UP "/natkit-root/${NATKIT_INSTALL_PKGCONFIGDIR}" "/natkit-root")
  string(REGEX REPLACE "/$" "" NATKIT_PC_UP "${NATKIT_PC_UP}")
  set(NATKIT_PC_PREFIX "\${pcfiledir}/${NATKIT_PC_UP}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(NATKIT_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(NATKIT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/natkit.pc.in ${PROJECT_BINARY_DIR}/natkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/natkit.pc DESTINATION ${NATKIT_INSTALL_PKGCONFIGDIR})
