// Shared by the benchmark programs that print a comparison table: Google Benchmark's console
// output as usual, plus each benchmark's CPU ns per operation (the median when run with
// repetitions) and its allocs/op counter, looked up by function name after the run.
#ifndef NATKIT_BENCH_TABLE_REPORTER_HPP
#define NATKIT_BENCH_TABLE_REPORTER_HPP

#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

namespace natkit_bench {

// Google Benchmark 1.7 flags failed runs with error_occurred, 1.8 with skipped.
template <class Run, class = void>
struct has_error_occurred : std::false_type {};
template <class Run>
struct has_error_occurred<Run, std::void_t<decltype(std::declval<const Run&>().error_occurred)>> : std::true_type {};

template <class Run>
bool run_failed(const Run& r) {
    if constexpr (has_error_occurred<Run>::value)
        return r.error_occurred;
    else
        return static_cast<int>(r.skipped) != 0;
}

/// The console output as usual, plus the per-benchmark numbers the table needs.
class table_reporter : public benchmark::ConsoleReporter {
public:
    struct result {
        double cpu_ns = 0;
        double allocs_per_op = -1;  ///< -1: the benchmark has no allocs/op counter
        bool from_median = false;
        bool failed = false;
    };

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            result& out = results_[r.run_name.function_name];
            if (run_failed(r)) {
                out.failed = true;
                continue;
            }
            const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            if (r.run_type == Run::RT_Aggregate && !median) continue;
            if (!median && out.from_median) continue;
            out.from_median = median;
            // GetAdjustedCPUTime() is in the run's time unit.
            out.cpu_ns = r.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(r.time_unit) * 1e9;
            const auto c = r.counters.find("allocs/op");
            out.allocs_per_op = c == r.counters.end() ? -1.0 : static_cast<double>(c->second.value);
        }
    }

    /// The numbers of benchmark function `name`; nullptr when it did not run.
    const result* find(const std::string& name) const {
        const auto it = results_.find(name);
        return it == results_.end() ? nullptr : &it->second;
    }

private:
    std::map<std::string, result> results_;
};

}  // namespace natkit_bench

#endif  // NATKIT_BENCH_TABLE_REPORTER_HPP
