# natkit::asio - the Asio adapters (include/natkit/asio/), an INTERFACE target on top of
# natkit::natkit. Standalone Asio (asio.hpp) by default; Boost.Asio with NATKIT_ASIO_USE_BOOST.
# When the chosen Asio is not found the target is not defined, and what needs it (the asio
# tests, the STUN client and server examples) is skipped: check with if(TARGET natkit::asio).
option(NATKIT_ASIO_USE_BOOST "Build natkit's Asio adapters on Boost.Asio instead of standalone Asio" OFF)

find_package(Threads)
if(NATKIT_ASIO_USE_BOOST)
  # Boost.Asio and Boost.System are header-only (Boost >= 1.69).
  find_package(Boost 1.70)
  if(Boost_FOUND AND Threads_FOUND)
    add_library(natkit_asio INTERFACE)
    target_link_libraries(natkit_asio INTERFACE Boost::headers)
    target_compile_definitions(natkit_asio INTERFACE NATKIT_ASIO_USE_BOOST)
  endif()
else()
  find_path(NATKIT_ASIO_INCLUDE_DIR asio.hpp DOC "Directory holding standalone Asio's asio.hpp")
  if(NATKIT_ASIO_INCLUDE_DIR AND Threads_FOUND)
    add_library(natkit_asio INTERFACE)
    # SYSTEM: Asio's own headers must not trip natkit's -Werror builds (CMake drops
    # directories such as /usr/include that the compiler searches anyway).
    target_include_directories(natkit_asio SYSTEM INTERFACE ${NATKIT_ASIO_INCLUDE_DIR})
  endif()
endif()

if(TARGET natkit_asio)
  add_library(natkit::asio ALIAS natkit_asio)
  target_link_libraries(natkit_asio INTERFACE natkit Threads::Threads)
  if(NATKIT_ASIO_USE_BOOST)
    message(STATUS "natkit: Asio adapters on Boost.Asio ${Boost_VERSION}")
  else()
    message(STATUS "natkit: Asio adapters on standalone Asio in ${NATKIT_ASIO_INCLUDE_DIR}")
  endif()
else()
  message(STATUS "natkit: Asio not found, natkit::asio and its tests and examples are skipped")
endif()
