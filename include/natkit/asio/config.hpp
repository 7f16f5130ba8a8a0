// natkit/asio/config.hpp - which Asio natkit's adapters use, and the only place natkit
// includes it.
//
// Standalone Asio (namespace ::asio) by default; Boost.Asio when NATKIT_ASIO_USE_BOOST is
// defined (the CMake target natkit::asio defines it when its option NATKIT_ASIO_USE_BOOST is
// ON). Everything in natkit/asio/ names Asio through the alias natkit::asio::net and takes and
// reports errors as natkit::asio::error_code, so one code base serves both.
#ifndef NATKIT_ASIO_CONFIG_HPP
#define NATKIT_ASIO_CONFIG_HPP

#include "natkit/config.hpp"

#if defined(NATKIT_ASIO_USE_BOOST)
#include <boost/asio.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#else
#include <asio.hpp>
#endif

NATKIT_BEGIN_NAMESPACE
namespace asio {

#if defined(NATKIT_ASIO_USE_BOOST)
namespace net = ::boost::asio;
/// The error type of the Asio in use: what completion handlers receive.
using error_code = ::boost::system::error_code;
using error_category = ::boost::system::error_category;
using system_error = ::boost::system::system_error;
#else
namespace net = ::asio;
/// The error type of the Asio in use: what completion handlers receive.
using error_code = std::error_code;
using error_category = std::error_category;
using system_error = std::system_error;
#endif

}  // namespace asio
NATKIT_END_NAMESPACE

// Per-operation cancellation (cancellation slots) arrived in Asio 1.19 / Boost 1.77. Without
// it, ending a receive that natkit started means cancelling every operation on the socket.
#if defined(NATKIT_ASIO_USE_BOOST)
#if BOOST_ASIO_VERSION >= 101900
#define NATKIT_ASIO_HAS_CANCELLATION_SLOT 1
#endif
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
#define NATKIT_ASIO_HAS_CO_AWAIT 1
#endif
#else
#if ASIO_VERSION >= 101900
#define NATKIT_ASIO_HAS_CANCELLATION_SLOT 1
#endif
#if defined(ASIO_HAS_CO_AWAIT)
#define NATKIT_ASIO_HAS_CO_AWAIT 1
#endif
#endif
#ifndef NATKIT_ASIO_HAS_CANCELLATION_SLOT
#define NATKIT_ASIO_HAS_CANCELLATION_SLOT 0
#endif
#ifndef NATKIT_ASIO_HAS_CO_AWAIT
#define NATKIT_ASIO_HAS_CO_AWAIT 0
#endif

#endif  // NATKIT_ASIO_CONFIG_HPP
