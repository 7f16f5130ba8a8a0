// bench/codec_bench.hpp - what the codec benchmark's translation units share: the rows, the
// inputs every library works on, and the registration hooks of the libnice and libre halves.
//
// libnice's and libre's headers cannot share a translation unit (both declare a C function
// named stun_debug with different signatures), so each library's benchmarks live in their own
// file and see the inputs only as plain bytes and integers.
#ifndef NATKIT_BENCH_CODEC_BENCH_HPP
#define NATKIT_BENCH_CODEC_BENCH_HPP

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace codec_bench {

/// One row of the comparison: the same work done by each library.
/// The targets are natkit's goals for the row (reported, not asserted).
struct row {
    const char* id;           ///< benchmark name prefix, e.g. "a_request_fp_mi"
    const char* description;  ///< for the table
    double min_vs_libnice;    ///< target: libnice's time / natkit's at least this
    double min_vs_libre;      ///< target: libre's time / natkit's at least this
    double max_ns;            ///< target: natkit at most this many ns (0: no bound)
};

inline constexpr row row_a{"a_request_fp_mi", "a  parse+FP+MI RFC5769 request, PRIORITY+ICE-CONTROLLED", 1.5, 3, 0};
inline constexpr row row_b{"b_response_fp_mi", "b  parse+FP+MI RFC5769 IPv4 response, XOR-MAPPED-ADDRESS", 1.5, 3, 0};
inline constexpr row row_b2{"b2_response_parse", "b2 parse RFC5769 IPv4 response, XOR-MAPPED-ADDRESS", 3, 3, 15};
inline constexpr row row_c1{"c1_build_request_fp", "c1 build Binding request + FINGERPRINT", 3, 3, 25};
inline constexpr row row_c2{"c2_build_response", "c2 build response SOFTWARE+XOR-MAPPED+MI+FP", 1.5, 3, 0};
inline constexpr row rows[] = {row_a, row_b, row_b2, row_c1, row_c2};

inline constexpr const char* lib_natkit = "natkit";
inline constexpr const char* lib_libnice = "libnice";
inline constexpr const char* lib_libre = "libre";

inline std::string benchmark_name(const row& r, const char* lib) { return std::string(r.id) + "/" + lib; }

/// The RFC 5769 §2.1 request and §2.2 response, and what each row must find or produce.
struct inputs {
    std::vector<std::uint8_t> request;   ///< RFC 5769 §2.1
    std::vector<std::uint8_t> response;  ///< RFC 5769 §2.2 (IPv4), also the output row c2 must produce
    std::string username;                ///< "evtj:h6vY"
    std::string password;                ///< the short-term key "VOkJxbRl1RmTxUk/WvJxBt"
    std::string software;                ///< "test vector", the response's SOFTWARE
    std::array<std::uint8_t, 12> tid{};  ///< the vectors' transaction id (request and responses share it)
    std::uint32_t priority = 0;          ///< the request's PRIORITY
    std::uint64_t ice_controlled = 0;    ///< the request's ICE-CONTROLLED
    std::array<std::uint8_t, 4> mapped_ip{};  ///< the response's XOR-MAPPED-ADDRESS, network order
    std::uint16_t mapped_port = 0;
    std::vector<std::uint8_t> request_fp;  ///< row c1's output: header + FINGERPRINT (natkit-built, checked)
};

/// Registers each library's rows; the inputs must outlive the benchmark run.
void register_libnice(const inputs& in);
void register_libre(const inputs& in);

}  // namespace codec_bench

#endif  // NATKIT_BENCH_CODEC_BENCH_HPP
