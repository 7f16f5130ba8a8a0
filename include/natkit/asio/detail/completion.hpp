// natkit/asio/detail/completion.hpp - private: holds the completion handler of a natkit
// operation and delivers it once, on the handler's associated executor.
#ifndef NATKIT_ASIO_DETAIL_COMPLETION_HPP
#define NATKIT_ASIO_DETAIL_COMPLETION_HPP

#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>

#include "natkit/asio/config.hpp"
#include "natkit/stun/binding_client.hpp"
#include "natkit/stun/header.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {
namespace detail {

/// The handler of a `void(error_code, Result)` operation, with work kept on its executor until
/// it runs. Not thread-safe: used from the I/O object's executor.
template <class Handler, class IoExecutor, class Result>
class operation_completion {
public:
    using executor_type = net::associated_executor_t<Handler, IoExecutor>;

    operation_completion(Handler&& handler, const IoExecutor& io)
        : handler_(std::move(handler)), work_(net::get_associated_executor(*handler_, io)) {}

    /// Calls `on_cancel()` when the handler's cancellation slot (Asio >= 1.19) is emitted,
    /// e.g. by net::bind_cancellation_slot or a coroutine's cancellation.
    template <class F>
    void on_cancel(F on_cancel) {
#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
        auto slot = net::get_associated_cancellation_slot(*handler_);
        if (slot.is_connected()) slot.assign([f = std::move(on_cancel)](net::cancellation_type) mutable { f(); });
#else
        (void)on_cancel;
#endif
    }

    /// Delivers the result: through post() when the operation ends inside its initiating
    /// function (a handler is never called from there), else through dispatch().
    void complete(bool from_initiation, const error_code& ec, Result result) {
        if (!handler_) return;
#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
        auto slot = net::get_associated_cancellation_slot(*handler_);
        if (slot.is_connected()) slot.clear();
#endif
        auto ex = work_.get_executor();
        auto call = [h = std::move(*handler_), w = std::move(work_), ec, r = std::move(result)]() mutable {
            std::move(h)(ec, std::move(r));
            w.reset();
        };
        handler_.reset();
        if (from_initiation)
            net::post(ex, std::move(call));
        else
            net::dispatch(ex, std::move(call));
    }

private:
    std::optional<Handler> handler_;
    net::executor_work_guard<executor_type> work_;
};

/// The completion of a `void(error_code, stun::binding_result)` operation.
template <class Handler, class IoExecutor>
using binding_completion = operation_completion<Handler, IoExecutor, stun::binding_result>;

/// RFC 8489 §6: transaction ids "uniformly and randomly chosen", from std::random_device
/// (getrandom() on Linux).
inline stun::transaction_id random_transaction_id() {
    std::random_device rd;
    return stun::transaction_id::generate(rd);
}
inline stun::transaction_id random_transaction_id_thunk(void*) { return random_transaction_id(); }

/// The options of a running request, with the borrowed strings copied so that the caller
/// need not keep them alive until completion.
class owned_request_options {
public:
    owned_request_options(const stun::binding_request_options& o, stun::transport_kind transport)
        : software_(o.software), username_(o.username), password_(o.password), options_(o) {
        options_.software = software_;
        options_.username = username_;
        options_.password = password_;
        options_.transport = transport;
        if (!options_.transaction_id_generator) options_.transaction_id_generator = &random_transaction_id_thunk;
    }
    owned_request_options(const owned_request_options&) = delete;
    owned_request_options& operator=(const owned_request_options&) = delete;

    const stun::binding_request_options& get() const noexcept { return options_; }

private:
    std::string software_;
    std::string username_;
    std::string password_;
    stun::binding_request_options options_;
};

}  // namespace detail
}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_DETAIL_COMPLETION_HPP
