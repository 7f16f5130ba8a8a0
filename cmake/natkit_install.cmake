# cmake --install: the headers, natkitConfig.cmake with natkitTargets.cmake, an architecture-
# independent natkitConfigVersion.cmake (header-only: any compiler and bitness may use it),
# and natkit.pc for pkg-config.
include(CMakePackageConfigHelpers)

install(TARGETS natkit EXPORT natkitTargets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(NATKIT_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/natkit)
install(EXPORT natkitTargets NAMESPACE natkit:: DESTINATION ${NATKIT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/natkitConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/natkitConfig.cmake INSTALL_DESTINATION ${NATKIT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/natkitConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/natkitConfig.cmake ${PROJECT_BINARY_DIR}/natkitConfigVersion.cmake
        DESTINATION ${NATKIT_CMAKE_DIR})
configure_file(${PROJECT_SOURCE_DIR}/cmake/natkit.pc.in ${PROJECT_BINARY_DIR}/natkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/natkit.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
