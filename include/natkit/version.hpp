// natkit/version.hpp - the library version (semantic versioning).
#ifndef NATKIT_VERSION_HPP
#define NATKIT_VERSION_HPP

#define NATKIT_VERSION_MAJOR 0
#define NATKIT_VERSION_MINOR 1
#define NATKIT_VERSION_PATCH 0
/// The version as one comparable number: major * 10000 + minor * 100 + patch.
#define NATKIT_VERSION (NATKIT_VERSION_MAJOR * 10000 + NATKIT_VERSION_MINOR * 100 + NATKIT_VERSION_PATCH)
#define NATKIT_VERSION_STRING "0.1.0"

#endif  // NATKIT_VERSION_HPP
