// natkit/config.hpp - feature macros and the versioned ABI namespace.
//
// Every public name lives in natkit::NATKIT_ABI_TAG (an inline namespace), so two
// incompatible natkit versions linked into one program cannot silently mix layouts.
#ifndef NATKIT_CONFIG_HPP
#define NATKIT_CONFIG_HPP

#include "natkit/version.hpp"

#define NATKIT_PP_CAT_(a, b) a##b
#define NATKIT_PP_CAT(a, b) NATKIT_PP_CAT_(a, b)

/// Name of the inline ABI namespace, e.g. `v0`; changes with every major version.
#define NATKIT_ABI_TAG NATKIT_PP_CAT(v, NATKIT_VERSION_MAJOR)

/// Opens `namespace natkit { inline namespace vN {`.
#define NATKIT_BEGIN_NAMESPACE \
    namespace natkit {         \
    inline namespace NATKIT_ABI_TAG {
/// Closes what NATKIT_BEGIN_NAMESPACE opened.
#define NATKIT_END_NAMESPACE \
    }                        \
    }

// natkit never throws and never needs RTTI; these only report what the consumer uses.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define NATKIT_HAS_EXCEPTIONS 1
#else
#define NATKIT_HAS_EXCEPTIONS 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define NATKIT_ALWAYS_INLINE inline __attribute__((always_inline))
#define NATKIT_LIKELY(x) __builtin_expect(!!(x), 1)
#define NATKIT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define NATKIT_ALWAYS_INLINE inline
#define NATKIT_LIKELY(x) (x)
#define NATKIT_UNLIKELY(x) (x)
#endif

/// Define NATKIT_PORTABLE_CRYPTO to disable CPU-specific SHA/CRC code paths.
#ifndef NATKIT_PORTABLE_CRYPTO
#define NATKIT_PORTABLE_CRYPTO 0
#endif

#endif  // NATKIT_CONFIG_HPP
